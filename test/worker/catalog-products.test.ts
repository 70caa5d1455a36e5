// GET /api/v1/products and the installers of a product version, plus the catalog ETag: every catalog
// response carries the generation's ETag, If-None-Match gives 304, and a publish changes it.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bumpCatalogGeneration, seedCatalog } from "./support/catalog-fixture";

const get = (path: string, init?: RequestInit) => exports.default.fetch(`http://studio.test${path}`, init);

beforeAll(async () => {
  await seedCatalog();
});

describe("GET /api/v1/products", () => {
  it("lists the products in order, each with its versions newest first", async () => {
    const res = await get("/api/v1/products");
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: { id: string; name: string; applianceName: string; fips: boolean; versions: { version: string }[] }[];
    };
    expect(items.map((p) => [p.id, p.name, p.applianceName, p.fips])).toEqual([
      ["palette-enterprise", "Palette Enterprise", "Palette Enterprise Appliance", false],
      ["palette-vertex", "Palette VerteX", "Palette VerteX Appliance", true],
    ]);
    expect(items[0].versions.map((v) => v.version)).toEqual(["4.7.3", "4.6.12", "4.5.23"]);
    expect(items[1].versions.map((v) => v.version)).toEqual(["4.7.3", "4.6.12"]);
  });
});

describe("GET /api/v1/products/:product/versions/:version/artifacts", () => {
  it("gives the content bundle, ISO and Helm chart with their use cases, checksums and signatures", async () => {
    const res = await get("/api/v1/products/palette-vertex/versions/4.6.12/artifacts");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      product: { name: string; fips: boolean };
      version: { version: string };
      artifacts: Record<string, unknown>[];
    };
    expect(body.product).toMatchObject({
      id: "palette-vertex",
      name: "Palette VerteX",
      applianceName: "Palette VerteX Appliance",
      fips: true,
    });
    expect(body.version.version).toBe("4.6.12");
    expect(body.artifacts.map((a) => [a.kind, a.useCase, a.fileName, a.signatureFileName])).toEqual([
      [
        "content-bundle",
        "Used for traditional application install.",
        "palette-vertex-4.6.12.tar.zst",
        "palette-vertex-4.6.12.tar.sig.bin",
      ],
      [
        "iso",
        "Used to install from an ISO on a virtual machine, edge device, or bare-metal system.",
        "palette-vertex-appliance-4.6.12.iso",
        "palette-vertex-appliance-4.6.12.iso.sig.bin",
      ],
      [
        "helm-chart",
        "Used to install with Helm charts.",
        "palette-vertex-helm-4.6.12.tgz",
        "palette-vertex-helm-4.6.12.tgz.sig.bin",
      ],
    ]);
    for (const a of body.artifacts) {
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(a.size).toBeGreaterThan(0);
      expect(a.keyId).toBe("test-ec");
    }
  });

  it("404s an unknown product or version and 400s a malformed one", async () => {
    const unknownProduct = await get("/api/v1/products/palette-nope/versions/4.6.12/artifacts");
    expect(unknownProduct.status).toBe(404);
    expect(await unknownProduct.json()).toEqual({
      error: { code: "not_found", message: "product palette-nope not found" },
    });
    const unknownVersion = await get("/api/v1/products/palette-vertex/versions/4.5.23/artifacts");
    expect(unknownVersion.status).toBe(404);
    expect(((await unknownVersion.json()) as { error: { message: string } }).error.message).toBe(
      "Palette VerteX version 4.5.23 not found",
    );
    const malformed = await get("/api/v1/products/palette-vertex/versions/latest/artifacts");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe(
      "version",
    );
  });
});

describe("catalog ETags", () => {
  const paths = [
    "/api/v1/products",
    "/api/v1/products/palette-enterprise/versions/4.7.3/artifacts",
    "/api/v1/packs?layer=k8s",
    "/api/v1/packs/kubernetes",
    "/api/v1/packs/kubernetes/versions/1.31.2",
    "/api/v1/compatible?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws",
  ];

  it.each(paths)("%s carries the generation ETag and answers If-None-Match with 304", async (path) => {
    const first = await get(path);
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^W\/"catalog-\d+-[0-9a-f]{8}"$/);
    const again = await get(path, { headers: { "If-None-Match": etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
    const stale = await get(path, { headers: { "If-None-Match": 'W/"catalog-999999"' } });
    expect(stale.status).toBe(200);
  });

  it("changes the ETag when a publish bumps the generation, so old copies are refetched", async () => {
    const before = (await get("/api/v1/packs")).headers.get("ETag")!;
    await bumpCatalogGeneration();
    const res = await get("/api/v1/packs", { headers: { "If-None-Match": before } });
    expect(res.status).toBe(200);
    const after = res.headers.get("ETag")!;
    expect(after).not.toBe(before);
    expect((await get("/api/v1/packs", { headers: { "If-None-Match": after } })).status).toBe(304);
  });
});
