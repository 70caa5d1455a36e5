// Provenance that travels: the sync keeps the very release.json bytes (and signature) it verified,
// and every grant's downloads carry the signed manifests of the releases its files come from.
import { createVerify } from "node:crypto";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { syncAndSettle } from "./support/sync";
import { dropRelease, PALETTE_ENTERPRISE, releaseRow } from "./support/releases";

type Proof = { releaseId: string; file: string; url: string; sha256: string; sigFile: string; sigUrl: string };

const sha256Hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

const bytesAt = async (key: string) => new Uint8Array(await (await env.ARTIFACTS.get(key))!.arrayBuffer());

async function grantFor(packs: { name: string; version: string }[]) {
  const res = await exports.default.fetch("http://studio.test/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ packs }),
  });
  expect(res.status).toBe(201);
  const grant = (await res.json()) as { id: string; links: Record<string, string> };
  const manifest = (await (await exports.default.fetch(grant.links["manifest.json"])).json()) as { releases: Proof[] };
  return { ...grant, proofs: manifest.releases };
}

const verifies = (data: Uint8Array, signature: Uint8Array, pem: string) =>
  createVerify("sha256").update(data).verify(pem, signature);

describe("signed release manifests travel with every grant", () => {
  let droppedA: Uint8Array;
  let droppedSigA: Uint8Array;
  let pem: string;

  beforeAll(async () => {
    await dropRelease(env, "prov-a", {
      products: [PALETTE_ENTERPRISE],
      packs: [
        { name: "cni-calico", version: "3.29.2", layer: "cni" },
        { name: "kubernetes", version: "1.32.3", layer: "k8s" },
      ],
    });
    await dropRelease(env, "prov-b", { packs: [{ name: "csi-aws-ebs", version: "1.36.0", layer: "csi" }] });
    await dropRelease(env, "prov-c", { packs: [{ name: "addon-nginx", version: "1.11.3", layer: "addon" }] });
    droppedA = await bytesAt("incoming/prov-a/release.json");
    droppedSigA = await bytesAt("incoming/prov-a/release.json.sig.bin");
    await syncAndSettle(env);
    pem = await (await exports.default.fetch("http://studio.test/spectro_public_key.pem")).text();
  });

  it("the sync keeps the verified release.json and its signature as pinned, content-addressed blobs", async () => {
    const row = await releaseRow(env, "prov-a");
    expect(row).toMatchObject({
      status: "published",
      manifestKey: `blobs/sha256/${await sha256Hex(droppedA)}`,
      manifestSize: droppedA.byteLength,
      manifestSignatureKey: `blobs/sha256/${await sha256Hex(droppedSigA)}`,
      manifestSignatureSize: droppedSigA.byteLength,
    });
    const kept = await env.ARTIFACTS.get(row!.manifestKey!);
    expect(kept!.etag).toBe(row!.manifestEtag);
    expect(new Uint8Array(await kept!.arrayBuffer())).toEqual(droppedA);
  });

  it("a grant lists the manifests of exactly the releases its files come from", async () => {
    const grant = await grantFor([
      { name: "cni-calico", version: "3.29.2" },
      { name: "csi-aws-ebs", version: "1.36.0" },
    ]);
    expect(grant.proofs.map((p) => [p.releaseId, p.file, p.sigFile])).toEqual([
      ["prov-a", "releases/prov-a/release.json", "releases/prov-a/release.json.sig.bin"],
      ["prov-b", "releases/prov-b/release.json", "releases/prov-b/release.json.sig.bin"],
    ]);
    for (const p of grant.proofs) {
      const [manifest, signature] = await Promise.all(
        [p.url, p.sigUrl].map(async (u) => {
          const res = await exports.default.fetch(u);
          expect(res.status).toBe(200);
          return new Uint8Array(await res.arrayBuffer());
        }),
      );
      expect(await sha256Hex(manifest)).toBe(p.sha256);
      expect(verifies(manifest, signature, pem)).toBe(true);
    }
  });

  it("serves the verified bytes even after the dropped release.json is rewritten", async () => {
    await env.ARTIFACTS.put("incoming/prov-a/release.json", '{"schemaVersion":1,"releaseId":"prov-a","evil":true}');
    const grant = await grantFor([{ name: "kubernetes", version: "1.32.3" }]);
    const served = new Uint8Array(await (await exports.default.fetch(grant.proofs[0].url)).arrayBuffer());
    expect(served).toEqual(droppedA);
  });

  it("refuses, on /dl, a manifest of a release the grant has no file from", async () => {
    const grant = await grantFor([{ name: "cni-calico", version: "3.29.2" }]);
    const other = grant.proofs[0].url.replace("/releases/prov-a/", "/releases/prov-c/");
    const res = await exports.default.fetch(other);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("invalid signature\n");
  });

  it("puts the manifests and verify-bundle.sh in the tar, and SHA256SUMS covers them", async () => {
    const grant = await grantFor([{ name: "csi-aws-ebs", version: "1.36.0" }]);
    const tar = new Uint8Array(await (await exports.default.fetch(grant.links["bundle.tar"])).arrayBuffer());
    const text = new TextDecoder().decode(tar);
    const dir = `artifact-studio-${grant.id}`;
    expect(text).toContain(`${dir}/releases/prov-b/release.json`);
    expect(text).toContain(`${dir}/verify-bundle.sh`);
    const sums = await (await exports.default.fetch(grant.links.SHA256SUMS)).text();
    expect(sums).toContain(`${grant.proofs[0].sha256}  releases/prov-b/release.json\n`);
  });
});
