// The studio that `npm start` runs, seen from outside: it serves the demo public key, and its sync
// (the real scheduled handler) published every good demo release and quarantined the tampered one.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";

const studioUrl = inject("studioUrl");
const adminToken = inject("adminToken");
const demoDir = inject("demoDir");

type ReleaseRow = { id: string; status: string; reason: string | null; fileCount: number | null };

async function admin(path: string, init: RequestInit = {}) {
  return fetch(`${studioUrl}/api/v1/admin${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${adminToken}`, ...init.headers },
  });
}

/**
 * The demo's releases in a status. Other e2e files publish and quarantine releases of their own in
 * the same studio (test/e2e/publish.test.ts), so each check here looks at the demo's releases only.
 */
async function releases(status: string): Promise<ReleaseRow[]> {
  const res = await admin(`/releases?status=${status}&limit=100`);
  expect(res.status).toBe(200);
  const demo = new Set(await demoReleaseIds());
  return ((await res.json()) as { releases: ReleaseRow[] }).releases.filter((r) => demo.has(r.id));
}

async function demoReleaseIds() {
  const { readdir } = await import("node:fs/promises");
  return (await readdir(demoDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The demo's two releases that the sync must refuse. */
const ATTACKS = ["demo-forged-calico", "demo-tampered-packs"];

describe("the local studio with the demo catalog", () => {
  it("serves /spectro_public_key.pem identical to the demo public key", async () => {
    const res = await fetch(`${studioUrl}/spectro_public_key.pem`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(await readFile(join(demoDir, "spectro_public_key.pem"), "utf8"));
  });

  it("published every good demo release through the scheduled sync", async () => {
    const expected = (await demoReleaseIds()).filter((id) => !ATTACKS.includes(id));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const published = await releases("published");
    expect(published.map((r) => r.id).sort()).toEqual(expected);
    for (const row of published) expect(row.fileCount).toBeGreaterThan(0);
  });

  it("quarantined the two attacks with their reasons: bytes altered after signing, and a forged manifest", async () => {
    const quarantined = await releases("quarantined");
    expect(Object.fromEntries(quarantined.map((r) => [r.id, r.reason]))).toEqual({
      "demo-forged-calico": "release.json.sig.bin does not verify with any trusted key",
      "demo-tampered-packs": expect.stringMatching(
        /^nginx-1\.12\.0\.zst: checksum mismatch: sha256 [0-9a-f]{64}, release\.json says/,
      ),
    });
  });

  it("never lists the forged FIPS Calico 3.99.0", async () => {
    expect((await fetch(`${studioUrl}/api/v1/packs/cni-calico/versions/3.99.0`)).status).toBe(404);
    const { items } = (await (await fetch(`${studioUrl}/api/v1/packs?q=calico`)).json()) as {
      items: { versions?: { version: string }[]; latestVersion?: string }[];
    };
    expect(JSON.stringify(items)).not.toContain("3.99.0");
  });

  it("keeps the tampered pack out of the catalog while its good siblings are served", async () => {
    expect((await fetch(`${studioUrl}/api/v1/packs/nginx/versions/1.12.0`)).status).toBe(404);
    expect((await fetch(`${studioUrl}/api/v1/packs/nginx/versions/1.11.3`)).status).toBe(200);
  });

  it("lists both products with their three versions", async () => {
    const res = await fetch(`${studioUrl}/api/v1/products`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { id: string; versions: { version: string }[] }[] };
    expect(items.map((p) => [p.id, p.versions.map((v) => v.version)])).toEqual([
      ["palette-enterprise", ["4.7.3", "4.6.12", "4.5.23"]],
      ["palette-vertex", ["4.7.3", "4.6.12", "4.5.23"]],
    ]);
  });

  it("covers every layer, cloud, architecture and FIPS kind with at least 60 packs", async () => {
    const res = await fetch(`${studioUrl}/api/v1/packs?limit=1`);
    expect(res.status).toBe(200);
    const { total, facets } = (await res.json()) as { total: number; facets: Record<string, Record<string, number>> };
    expect(total).toBeGreaterThanOrEqual(60);
    for (const layer of ["os", "k8s", "cni", "csi", "addon"]) expect(facets.layer[layer], layer).toBeGreaterThan(0);
    for (const cloud of ["aws", "azure", "gcp", "vsphere", "openstack", "maas", "edge-native"])
      expect(facets.cloud[cloud], cloud).toBeGreaterThan(0);
    for (const arch of ["amd64", "arm64"]) expect(facets.arch[arch], arch).toBeGreaterThan(0);
    expect(facets.fips.true).toBeGreaterThan(0);
    expect(facets.fips.false).toBeGreaterThan(0);
    expect(facets.product["palette-vertex"]).toBeLessThan(facets.product["palette-enterprise"]);
  });

  it("carries real constraints: Cilium 1.16 is hidden on Kubernetes 1.28 with its reason", async () => {
    const query =
      "product=palette-enterprise&version=4.5.23&useCase=controller&cloud=aws&layer=cni&packs=ubuntu-aws@22.04,kubernetes@1.28.14";
    const res = await fetch(`${studioUrl}/api/v1/compatible?${query}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      offered: { name: string; version: string }[];
      hidden: { name: string; version: string; reasons: string[] }[];
    };
    expect(body.offered.map((p) => `${p.name}@${p.version}`)).toContain("cni-cilium@1.15.10");
    const cilium = body.hidden.find((p) => p.name === "cni-cilium" && p.version === "1.16.3");
    expect(cilium?.reasons).toEqual(["requires kubernetes >= 1.29"]);
  });

  it("refuses the admin API without the bearer token", async () => {
    const res = await fetch(`${studioUrl}/api/v1/admin/releases`);
    expect(res.status).toBe(401);
  });

  it("re-running the sync is harmless: nothing new is published or quarantined", async () => {
    const before = await releases("published");
    const scheduled = await fetch(`${studioUrl}/cdn-cgi/local/scheduled?format=json`);
    expect(scheduled.status).toBe(200);
    const res = await admin("/sync", { method: "POST" });
    expect(res.status).toBe(200);
    const run = (await res.json()) as { verifying: string[]; quarantined: { releaseId: string }[]; skipped: number };
    const demo = await demoReleaseIds();
    expect(run.verifying.filter((id) => demo.includes(id))).toEqual([]);
    expect(run.quarantined.filter((q) => demo.includes(q.releaseId))).toEqual([]);
    // Every demo release was decided before, so the run left each alone (others' releases may be too).
    expect(run.skipped).toBeGreaterThanOrEqual(demo.length);
    expect(await releases("published")).toEqual(before);
  });
});
