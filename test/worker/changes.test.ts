// Incremental mirroring: /api/v1/changes after a publish and after a yank (each stamped with the
// generation of its batch), pack filters, and the one-call grant of what is new for a token.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { changesSince, yankedSince } from "../../worker/db/change-log";
import { meteredCatalogReader } from "../../worker/db/client";
import { syncAndSettle } from "./support/sync";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { ADMIN_JSON, studio } from "./support/studio";

type ChangesJson = {
  since: number;
  generation: number;
  published: { packs: { name: string; version: string; generation: number }[]; installers: { file: string }[] };
  yanked: { packs: { name: string; version: string; generation: number; reason: string }[] };
};

const changes = async (query: string) => (await (await studio(`/api/v1/changes?${query}`)).json()) as ChangesJson;
const admin = ADMIN_JSON;

let before: number;

beforeAll(async () => {
  await dropRelease(env, "changes-1", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.2", layer: "cni" },
      { name: "kubernetes", version: "1.32.3", layer: "k8s" },
    ],
  });
  await syncAndSettle(env);
  before = (await changes("since=0")).generation;
});

describe("GET /api/v1/changes", () => {
  it("lists what a publish brought after a generation, stamped with that publish's generation", async () => {
    await dropRelease(env, "changes-2", { packs: [{ name: "cni-cilium", version: "1.16.3", layer: "cni" }] });
    await syncAndSettle(env);
    const after = await changes(`since=${before}`);
    expect(after.generation).toBe(before + 1);
    expect(after.published.packs.map((p) => [p.name, p.version, p.generation])).toEqual([
      ["cni-cilium", "1.16.3", before + 1],
    ]);
    expect((await changes(`since=${after.generation}`)).published.packs).toEqual([]);
    const all = await changes("since=0");
    expect(all.published.packs.map((p) => p.name).sort()).toEqual(["cni-calico", "cni-cilium", "kubernetes"]);
    expect((await changes("since=0&layer=k8s")).published.packs.map((p) => p.name)).toEqual(["kubernetes"]);
  });

  it("lists a yank at its generation and drops the yanked version from what is published", async () => {
    const start = (await changes("since=0")).generation;
    const res = await studio("/api/v1/admin/packs/cni-calico/versions/3.29.2/yank", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ reason: "CVE-2026-0002" }),
    });
    expect(res.status).toBe(200);
    const after = await changes(`since=${start}`);
    expect(after.generation).toBe(start + 1);
    expect(after.yanked.packs).toEqual([
      {
        name: "cni-calico",
        version: "3.29.2",
        file: "cni-calico-3.29.2.zst",
        generation: start + 1,
        reason: "CVE-2026-0002",
      },
    ]);
    expect((await changes("since=0")).published.packs.map((p) => p.name)).not.toContain("cni-calico");
  });

  it("refuses a missing or negative generation, naming since", async () => {
    for (const q of ["", "since=-1", "since=abc"]) {
      const res = await studio(`/api/v1/changes?${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe("since");
    }
  });

  it("turns the changes into one grant for a token (204 when nothing is new), saying its generation", async () => {
    const minted = (await (
      await studio("/api/v1/admin/tokens", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "mirror", scopes: ["manifests:read"] }),
      })
    ).json()) as { token: string };
    const auth = { Authorization: `Bearer ${minted.token}` };
    const res = await studio(`/api/v1/manifests/changes/manifest.json?since=${before}`, { headers: auth });
    expect(res.status).toBe(200);
    const generation = Number(res.headers.get("X-Catalog-Generation"));
    expect(generation).toBe((await changes("since=0")).generation);
    expect(res.headers.get("X-Yanked")).toBe("cni-calico@3.29.2");
    const manifest = (await res.json()) as { files: { file: string }[]; releases: { releaseId: string }[] };
    expect(manifest.files.map((f) => f.file)).toEqual(["cni-cilium-1.16.3.zst"]);
    expect(manifest.releases.map((r) => r.releaseId)).toEqual(["changes-2"]);
    const none = await studio(`/api/v1/manifests/changes/download.sh?since=${generation}`, { headers: auth });
    expect(none.status).toBe(204);
    expect(none.headers.get("X-Catalog-Generation")).toBe(String(generation));
    expect((await studio(`/api/v1/manifests/changes/download.sh?since=0`)).status).toBe(401);
  });

  it("serves mirror.sh with the filters and a state file", async () => {
    const script = await (await studio("/api/v1/changes/mirror.sh?layer=cni")).text();
    expect(script).toContain("FILTERS='&layer=cni'");
    expect(script).toContain("STATE=.artifact-studio-generation");
    expect(script).toContain("/api/v1/manifests/changes/download.sh?since=$since$FILTERS");
  });
  it("gives mirror.sh every yanked file as a line, reading the yanks and not the catalog", async () => {
    const res = await studio("/api/v1/changes/yanked.txt?since=0");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("cni-calico-3.29.2.zst\tcni-calico-3.29.2.sig.bin\tCVE-2026-0002\n");
    expect(await studio("/api/v1/changes/yanked.txt?since=0&layer=k8s").then((r) => r.text())).toBe("");
    // What a mirror asks every night from generation 0: the rows read follow the yanks, where the
    // whole change list reads every published version too. Five more packs change neither.
    const rowsRead = async () => {
      const [yanks, whole] = [meteredCatalogReader(env), meteredCatalogReader(env)];
      const [onlyYanks, everything] = [await yankedSince(yanks.db, 0, {}), await changesSince(whole.db, 0, {})];
      expect(onlyYanks).toEqual({ generation: everything.generation, yanked: everything.yanked });
      return { yanks: yanks.meter.rowsRead, whole: whole.meter.rowsRead };
    };
    const small = await rowsRead();
    await dropRelease(env, "changes-more", {
      packs: ["a", "b", "c", "d", "e"].map((x) => ({ name: `addon-${x}`, version: "1.0.0", layer: "addon" as const })),
    });
    await syncAndSettle(env);
    const large = await rowsRead();
    expect(large.whole).toBeGreaterThan(small.whole);
    expect(large.yanks).toBe(small.yanks);
  });
});
