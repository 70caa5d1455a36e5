// GET /api/v1/packs end to end against the fixture catalog: every filter, search (including hostile
// input), disjunctive facets, detail pages, yanked versions, 400s and 404s.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { PackSearchResult } from "../../worker/catalog/pack-search";
import { seedCatalog } from "./support/catalog-fixture";

const get = (path: string, init?: RequestInit) => exports.default.fetch(`http://studio.test${path}`, init);

async function ok<T = PackSearchResult>(path: string): Promise<T> {
  const res = await get(path);
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}

async function refused(path: string, status: number) {
  const res = await get(path);
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field: string }[] } };
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body.error;
}

const names = (r: PackSearchResult) => r.items.map((i) => i.name);
const versionsOf = (r: PackSearchResult, name: string) =>
  r.items.find((i) => i.name === name)?.versions.map((v) => v.version);

/** Every listed pack in display order (by display name, case-insensitive: "Amazon EBS CSI" first, "vSphere CSI" last). */
const ALL = [
  "csi-aws-ebs", // Amazon EBS CSI
  "cni-calico", // Calico
  "cni-cilium",
  "cni-flannel",
  "hello-universe",
  "istio",
  "nginx", // Nginx Ingress
  "kubernetes", // Palette eXtended Kubernetes
  "edge-k8s", // Palette Optimized Edge Kubernetes
  "prometheus-operator",
  "rhel", // Red Hat Enterprise Linux
  "spectro-k8s-dashboard",
  "ubuntu-edge", // Ubuntu (Edge)
  "ubuntu-aws", // Ubuntu on AWS
  "csi-vsphere-csi", // vSphere CSI
];

/** The given packs in the order lists show them. */
const inDisplayOrder = (some: string[]) => ALL.filter((name) => some.includes(name));

beforeAll(async () => {
  await seedCatalog();
});

describe("GET /api/v1/packs filters", () => {
  it("lists every published pack in display order, versions newest first, never a yanked version", async () => {
    const r = await ok("/api/v1/packs?limit=100");
    expect(names(r)).toEqual(ALL);
    expect(r.total).toBe(15);
    expect(r.nextCursor).toBeNull();
    expect(versionsOf(r, "kubernetes")).toEqual(["1.32.3", "1.31.2", "1.30.4", "1.29.8"]);
    const calico = r.items.find((i) => i.name === "cni-calico")!.versions[0];
    expect(calico).toMatchObject({
      version: "3.29.2",
      fips: true,
      arches: ["amd64", "arm64"],
      clouds: ["all"],
      useCases: ["controller", "agent", "addon"],
      fileName: "cni-calico-3.29.2.zst",
      signatureFileName: "cni-calico-3.29.2.sig.bin",
      keyId: "test-ec",
      dependencies: [{ packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.29", maxVersion: null }],
    });
    expect(calico.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("filters by layer", async () => {
    expect(names(await ok("/api/v1/packs?layer=k8s"))).toEqual(["kubernetes", "edge-k8s"]);
    expect(names(await ok("/api/v1/packs?layer=csi"))).toEqual(["csi-aws-ebs", "csi-vsphere-csi"]);
  });

  it('filters by cloud, where a pack published for "all" matches every cloud', async () => {
    const aws = names(await ok("/api/v1/packs?cloud=aws&limit=100"));
    expect(aws).toEqual(ALL.filter((n) => !["ubuntu-edge", "edge-k8s", "csi-vsphere-csi"].includes(n)));
    const edge = names(await ok("/api/v1/packs?cloud=edge-native&limit=100"));
    expect(edge).toContain("ubuntu-edge");
    expect(edge).toContain("rhel"); // "all"
    expect(edge).not.toContain("ubuntu-aws");
    expect(edge).not.toContain("istio");
    expect(edge).toHaveLength(11);
  });

  it("filters by arch, keeping only the versions with that build", async () => {
    const r = await ok("/api/v1/packs?arch=arm64&limit=100");
    expect(names(r)).not.toContain("rhel");
    expect(names(r)).not.toContain("cni-flannel");
    expect(names(r)).toHaveLength(11);
    expect(versionsOf(r, "kubernetes")).toEqual(["1.32.3", "1.31.2", "1.30.4"]);
    expect(versionsOf(r, "ubuntu-aws")).toEqual(["24.04"]);
  });

  it("filters by FIPS, both ways", async () => {
    const fips = await ok("/api/v1/packs?fips=true&limit=100");
    expect(names(fips)).toEqual(
      inDisplayOrder([
        "cni-calico",
        "csi-aws-ebs",
        "edge-k8s",
        "kubernetes",
        "nginx",
        "rhel",
        "spectro-k8s-dashboard",
        "ubuntu-aws",
        "ubuntu-edge",
      ]),
    );
    expect(versionsOf(fips, "kubernetes")).toEqual(["1.31.2", "1.30.4"]);
    expect(fips.items.flatMap((i) => i.versions).every((v) => v.fips)).toBe(true);
    const plain = await ok("/api/v1/packs?fips=false&limit=100");
    expect(plain.total).toBe(10);
    expect(plain.items.flatMap((i) => i.versions).some((v) => v.fips)).toBe(false);
    expect(versionsOf(plain, "kubernetes")).toEqual(["1.32.3", "1.29.8"]);
  });

  it("filters by use case", async () => {
    expect(names(await ok("/api/v1/packs?useCase=agent"))).toEqual(
      inDisplayOrder([
        "cni-calico",
        "edge-k8s",
        "hello-universe",
        "prometheus-operator",
        "spectro-k8s-dashboard",
        "ubuntu-edge",
      ]),
    );
  });

  it("filters by product, and by product version within each pack's range", async () => {
    const vertex = await ok("/api/v1/packs?product=palette-vertex&limit=100");
    expect(names(vertex)).toEqual(ALL.filter((n) => n !== "cni-flannel" && n !== "hello-universe"));
    expect(versionsOf(vertex, "kubernetes")).toEqual(["1.31.2", "1.30.4", "1.29.8"]);
    const old = await ok("/api/v1/packs?product=palette-enterprise&version=4.5.23&limit=100");
    expect(old.total).toBe(15);
    expect(versionsOf(old, "ubuntu-aws")).toEqual(["22.04"]);
    expect(versionsOf(old, "kubernetes")).toEqual(["1.31.2", "1.30.4", "1.29.8"]);
    const current = await ok("/api/v1/packs?product=palette-enterprise&version=4.7.3&limit=100");
    expect(versionsOf(current, "ubuntu-aws")).toEqual(["24.04"]);
    expect(versionsOf(current, "kubernetes")).toEqual(["1.32.3", "1.31.2", "1.30.4", "1.29.8"]);
    expect((await ok("/api/v1/packs?product=no-such-product")).items).toEqual([]);
  });

  it("combines filters", async () => {
    const r = await ok("/api/v1/packs?layer=k8s&arch=arm64&fips=true&product=palette-vertex");
    expect(names(r)).toEqual(["kubernetes", "edge-k8s"]);
    expect(versionsOf(r, "kubernetes")).toEqual(["1.31.2", "1.30.4"]);
    expect(names(await ok("/api/v1/packs?layer=cni&cloud=gcp&useCase=agent"))).toEqual(["cni-calico"]);
  });
});

describe("GET /api/v1/packs search", () => {
  it("finds by name, display name, description and add-on type, with prefix matching", async () => {
    expect(names(await ok("/api/v1/packs?q=calico"))).toEqual(["cni-calico"]);
    expect(names(await ok("/api/v1/packs?q=cal"))).toEqual(["cni-calico"]);
    expect(names(await ok("/api/v1/packs?q=eBPF"))).toEqual(["cni-cilium"]);
    expect(names(await ok("/api/v1/packs?q=monitoring"))).toEqual(["prometheus-operator", "spectro-k8s-dashboard"]);
    expect(names(await ok("/api/v1/packs?q=Red%20Hat"))).toEqual(["rhel"]);
    expect(names(await ok("/api/v1/packs?q=cni-cal"))).toEqual(["cni-calico"]);
    expect(names(await ok("/api/v1/packs?q=zzzz"))).toEqual([]);
  });

  it("combines search with filters and leaves out packs whose only versions are yanked", async () => {
    expect(names(await ok("/api/v1/packs?q=kubernetes&layer=k8s"))).toEqual(["kubernetes", "edge-k8s"]);
    expect(names(await ok("/api/v1/packs?q=retired"))).toEqual([]);
  });

  it.each([
    ['"'],
    ["*"],
    ["AND ("],
    ['cni" OR "x'],
    ["NEAR(a b)"],
    ["^"],
    ["a:b"],
    ["'"],
    ["-"],
    [")("],
    ["NOT"],
    ["é✓"],
    ["\\"],
  ])("never fails on hostile text %j", async (q) => {
    const r = await ok(`/api/v1/packs?q=${encodeURIComponent(q)}`);
    expect(Array.isArray(r.items)).toBe(true);
  });

  it("treats operators as words and text without words as no search", async () => {
    // "AND" is a word here: it matches the descriptions that contain "and", not an FTS5 operator.
    const and = names(await ok(`/api/v1/packs?q=${encodeURIComponent("AND (")}&limit=100`));
    expect(and).toContain("hello-universe");
    expect(and).toContain("cni-calico");
    expect(and).not.toContain("ubuntu-aws");
    expect((await ok(`/api/v1/packs?q=${encodeURIComponent('"*')}`)).total).toBe(15);
  });
});

describe("GET /api/v1/packs facets", () => {
  it("counts matching packs per value of every facet", async () => {
    const { facets } = await ok("/api/v1/packs");
    expect(facets.layer).toEqual({ os: 3, k8s: 2, cni: 3, csi: 2, addon: 5 });
    expect(facets.fips).toEqual({ true: 9, false: 10 });
    expect(facets.arch).toEqual({ amd64: 15, arm64: 11 });
    expect(facets.useCase).toEqual({ controller: 13, agent: 6, addon: 6 });
    expect(facets.product).toEqual({ "palette-enterprise": 15, "palette-vertex": 13 });
    expect(facets.cloud).toEqual({
      aws: 12,
      azure: 10,
      gcp: 10,
      vsphere: 10,
      openstack: 9,
      maas: 9,
      "edge-native": 11,
    });
  });

  it("computes each facet with every other active filter but not its own", async () => {
    const { facets, total } = await ok("/api/v1/packs?layer=os&fips=true");
    expect(total).toBe(3);
    expect(facets.layer).toEqual({ os: 3, k8s: 2, cni: 1, csi: 1, addon: 2 }); // fips=true applied, layer not
    expect(facets.fips).toEqual({ true: 3, false: 1 }); // layer=os applied, fips not
    expect(facets.cloud.aws).toBe(2); // ubuntu-aws 24.04 and rhel ("all")
    expect(facets.cloud["edge-native"]).toBe(2); // ubuntu-edge and rhel
  });

  it("agrees with the totals a client gets by picking each value", async () => {
    for (const base of [
      "",
      "layer=addon",
      "cloud=aws&arch=arm64",
      "q=net&fips=false",
      "product=palette-enterprise&version=4.5.23",
    ]) {
      const { facets } = await ok(`/api/v1/packs?${base}`);
      for (const [facet, counts] of Object.entries(facets)) {
        for (const [value, count] of Object.entries(counts)) {
          const params = new URLSearchParams(base);
          params.set(facet, value);
          if (facet === "product") params.delete("version");
          const picked = await ok(`/api/v1/packs?${params}`);
          expect(picked.total, `${base} → ${facet}=${value}`).toBe(count);
        }
      }
    }
  });
});

describe("GET /api/v1/packs input", () => {
  it.each([
    ["layer=kernel", "layer"],
    ["cloud=mars", "cloud"],
    ["arch=riscv", "arch"],
    ["fips=yes", "fips"],
    ["useCase=robot", "useCase"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=ten", "limit"],
    ["version=4.6.12", "version"],
    ["product=Bad_Product", "product"],
    ["product=palette-enterprise&version=latest", "version"],
    ["cursor=not-a-cursor", "cursor"],
    ["layer=os&layer=k8s", "layer"],
  ])("refuses %s naming %s", async (query, field) => {
    const error = await refused(`/api/v1/packs?${query}`, 400);
    expect(error.code).toBe("invalid_request");
    expect(error.message.startsWith(`${field}:`), error.message).toBe(true);
    expect(error.details?.[0].field).toBe(field);
  });
});

describe("GET /api/v1/packs/:name and /versions/:version", () => {
  it("details a pack with every published version", async () => {
    const pack = await ok<{ name: string; layer: string; versions: { version: string }[] }>("/api/v1/packs/kubernetes");
    expect(pack.name).toBe("kubernetes");
    expect(pack.layer).toBe("k8s");
    expect(pack.versions.map((v) => v.version)).toEqual(["1.32.3", "1.31.2", "1.30.4", "1.29.8"]);
  });

  it("details one version: arches, FIPS, clouds, product ranges, use cases, dependencies, file and signature", async () => {
    const v = await ok<Record<string, unknown>>("/api/v1/packs/cni-cilium/versions/1.16.1");
    expect(v).toMatchObject({
      name: "cni-cilium",
      displayName: "Cilium",
      layer: "cni",
      version: "1.16.1",
      fips: false,
      arches: ["amd64", "arm64"],
      clouds: ["all"],
      useCases: ["controller"],
      products: [
        { product: "palette-enterprise", minVersion: null, maxVersion: null },
        { product: "palette-vertex", minVersion: null, maxVersion: null },
      ],
      dependencies: [
        { packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.29", maxVersion: "1.31" },
      ],
      fileName: "cni-cilium-1.16.1.zst",
      signatureFileName: "cni-cilium-1.16.1.sig.bin",
      keyId: "test-ec",
      eol: null,
      otherVersions: [],
    });
    const k8s = await ok<{ eol: string; otherVersions: string[]; products: unknown[] }>(
      "/api/v1/packs/kubernetes/versions/1.32.3",
    );
    expect(k8s.eol).toBe("2026-02-28");
    expect(k8s.otherVersions).toEqual(["1.31.2", "1.30.4", "1.29.8"]);
    expect(k8s.products).toEqual([{ product: "palette-enterprise", minVersion: "4.6.0", maxVersion: null }]);
  });

  it("404s unknown packs and versions, and 410s yanked ones with when and why, in the error shape", async () => {
    expect(await refused("/api/v1/packs/no-such-pack", 404)).toEqual({
      code: "not_found",
      message: "pack no-such-pack not found",
    });
    const retired = await refused("/api/v1/packs/retired-logger", 410);
    expect(retired.code).toBe("yanked");
    expect(retired.message).toMatch(
      /^retired-logger 2\.0\.0 was yanked on \d{4}-\d\d-\d\d \d\d:\d\d UTC: fixture: yanked$/,
    );
    expect((await refused("/api/v1/packs/kubernetes/versions/1.28.0", 410)).message).toMatch(
      /^kubernetes 1\.28\.0 was yanked on .* UTC: /,
    );
    expect((await refused("/api/v1/packs/kubernetes/versions/9.9.9", 404)).code).toBe("not_found");
  });

  it("400s malformed names and versions", async () => {
    expect((await refused("/api/v1/packs/Not_A_Pack", 400)).details?.[0].field).toBe("name");
    expect((await refused("/api/v1/packs/kubernetes/versions/one", 400)).details?.[0].field).toBe("version");
  });
});
