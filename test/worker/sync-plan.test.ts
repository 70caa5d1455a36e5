// The pure parts of the sync: what a release would do to the catalog, the reason line, and the
// release.json rules that would otherwise collide on a primary key at publish time.
import { describe, expect, it } from "vitest";
import type { CatalogFacts } from "../../worker/domain/release-files";
import { planRelease, quarantineDetails, reasonLine } from "../../worker/sync/plan";
import { releaseManifest, type ReleaseManifest } from "../../worker/sync/release-manifest";

const sha = (c: string) => c.repeat(64);
const packFile = (name: string, version: string, digest: string, extra: Record<string, unknown> = {}) => ({
  kind: "pack" as const,
  file: `${name}-${version}.zst`,
  signature: `${name}-${version}.sig.bin`,
  size: 10,
  sha256: digest,
  ...extra,
  pack: {
    name,
    displayName: name,
    version,
    layer: "addon",
    cloudTypes: ["all"],
    architectures: ["amd64"],
    useCases: ["addon"],
    products: [{ product: "palette-enterprise" }],
    ...((extra.pack as object) ?? {}),
  },
});
const manifestInput = (files: unknown[], products: unknown[]) => ({
  schemaVersion: 1,
  releaseId: "r",
  keyId: "k1",
  audience: "production",
  expiresAt: "2099-01-01T00:00:00Z",
  products,
  files,
});
const release = (files: unknown[], products: unknown[] = []) =>
  releaseManifest.parse(manifestInput(files, products)) as ReleaseManifest;
const noFacts = (): CatalogFacts => ({
  packVersions: new Map(),
  packLayers: new Map(),
  artifacts: new Map(),
  products: new Map(),
  fileNames: new Map(),
});
const keys = new Map([
  ["k1", "current"],
  ["k2", "current"],
] as const);

describe("planRelease", () => {
  it("sorts files into new, byte-identical re-publishes and refusals", () => {
    const facts = noFacts();
    facts.packVersions.set("same@1.0.0", { sha256: sha("a"), size: 10 });
    facts.packVersions.set("changed@1.0.0", { sha256: sha("b"), size: 10 });
    facts.packLayers.set("same", "addon").set("changed", "addon");

    const plan = planRelease(
      release([
        packFile("same", "1.0.0", sha("a")),
        packFile("changed", "1.0.0", sha("c")),
        packFile("fresh", "2.0.0", sha("d")),
      ]),
      facts,
      keys,
    );

    expect(plan.newPacks.map((f) => f.file)).toEqual(["fresh-2.0.0.zst"]);
    expect(plan.alreadyPublished).toEqual(["same-1.0.0.zst"]);
    expect(plan.findings).toEqual([
      {
        file: "changed-1.0.0.zst",
        problem:
          "would change published pack changed 1.0.0 (published sha256 bbbbbbbbbbbb…, release.json cccccccccccc…)",
      },
    ]);
  });

  it("refuses unknown key ids, layer changes and installers of unknown products", () => {
    const facts = noFacts();
    facts.packLayers.set("kubernetes", "k8s");
    const plan = planRelease(
      release(
        [
          packFile("kubernetes", "1.31.0", sha("a"), { keyId: "k9", pack: { layer: "cni" } }),
          {
            kind: "iso",
            file: "x.iso",
            signature: "x.iso.sig.bin",
            size: 1,
            sha256: sha("e"),
            product: "palette-x",
            productVersion: "1.0.0",
          },
          {
            kind: "iso",
            file: "y.iso",
            signature: "y.iso.sig.bin",
            size: 1,
            sha256: sha("f"),
            product: "palette-y",
            productVersion: "1.0.0",
          },
        ],
        [{ id: "palette-y", name: "Y", applianceName: "Y Appliance" }],
      ),
      facts,
      keys,
    );
    expect(plan.findings).toEqual([
      { file: "kubernetes-1.31.0.zst", problem: "unknown signing key id 'k9'" },
      { file: "kubernetes-1.31.0.zst", problem: "pack kubernetes is published in layer k8s, release.json says cni" },
      { file: "x.iso", problem: "product 'palette-x' is neither published nor declared in release.json products" },
    ]);
    expect(plan.newInstallers.map((f) => f.file)).toEqual(["x.iso", "y.iso"]);
  });

  it("refuses one pack name listed in two layers within a release", () => {
    const plan = planRelease(
      release([packFile("dual", "1.0.0", sha("a")), packFile("dual", "1.1.0", sha("b"), { pack: { layer: "csi" } })]),
      noFacts(),
      keys,
    );
    expect(plan.findings).toEqual([{ file: "dual-1.1.0.zst", problem: "pack dual is listed in layers addon and csi" }]);
  });
});

describe("reasonLine", () => {
  it("is the first finding, with a count of the rest", () => {
    expect(reasonLine([{ problem: "release.json: files: too small" }])).toBe("release.json: files: too small");
    expect(reasonLine([{ file: "a.zst", problem: "bad" }, { file: "b.zst", problem: "worse" }, { problem: "x" }])).toBe(
      "a.zst: bad (and 2 more)",
    );
  });
});

describe("release.json rules", () => {
  const issues = (files: unknown[], products: unknown[] = []) => {
    const result = releaseManifest.safeParse(manifestInput(files, products));
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("refuses a dependency or a target product listed twice in one pack", () => {
    const dep = { packName: "kubernetes", layer: "k8s", type: "required" };
    expect(
      issues([
        packFile("p", "1.0.0", sha("a"), {
          pack: { constraints: { dependencies: [dep, { ...dep, minVersion: "1.2.0" }] } },
        }),
      ]),
    ).toEqual(["files.0.pack.constraints.dependencies.1: required dependency on kubernetes is listed twice"]);
    expect(
      issues([
        packFile("p", "1.0.0", sha("a"), {
          pack: { products: [{ product: "pe" }, { product: "pe", minVersion: "4.0.0" }] },
        }),
      ]),
    ).toEqual(["files.0.pack.products.1.product: pe is listed twice"]);
  });

  it("refuses two installers of one kind for one product version, and a product declared twice", () => {
    const iso = (file: string) => ({
      kind: "iso",
      file,
      signature: `${file}.sig.bin`,
      size: 1,
      sha256: sha("a"),
      product: "pe",
      productVersion: "4.6.12",
    });
    expect(issues([iso("a.iso"), iso("b.iso")])).toEqual(["files.1.kind: a second iso for pe 4.6.12"]);
    const pe = { id: "pe", name: "PE", applianceName: "PE Appliance" };
    expect(issues([iso("a.iso")], [pe, pe])).toEqual(["products.1.id: pe is listed twice"]);
  });
});

describe("quarantineDetails", () => {
  it("keeps at most 50 findings and says how many more there were; the reason still counts them all", () => {
    const findings = Array.from({ length: 60 }, (_, i) => ({ file: `f${i}.zst`, problem: "checksum mismatch" }));
    const details = quarantineDetails(findings);
    expect(details.findings).toHaveLength(50);
    expect(details.findings[49]).toEqual(findings[49]);
    expect(details.omittedFindings).toBe(10);
    expect(reasonLine(findings)).toBe("f0.zst: checksum mismatch (and 59 more)");
    expect(quarantineDetails(findings.slice(0, 3))).toEqual({ findings: findings.slice(0, 3) });
  });
});
