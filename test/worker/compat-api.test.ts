// GET /api/v1/compatible end to end against the fixture catalog: what the bundle wizard offers per
// layer, why each other version is hidden, and how bad input and unknown ids are refused.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { assessChosenPacks, type CompatibleResult } from "../../worker/catalog/compatibility";
import { compatibleQuery } from "../../worker/catalog/filters";
import { catalogDb, seedCatalog } from "./support/catalog-fixture";

const get = (query: string) => exports.default.fetch(`http://studio.test/api/v1/compatible?${query}`);

async function compatible(query: string): Promise<CompatibleResult> {
  const res = await get(query);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as CompatibleResult;
}

async function refused(query: string, status: number) {
  const res = await get(query);
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field: string }[] } };
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body.error;
}

const offered = (r: CompatibleResult) => r.offered.map((p) => `${p.name}@${p.version}`);
const hidden = (r: CompatibleResult) => Object.fromEntries(r.hidden.map((p) => [`${p.name}@${p.version}`, p.reasons]));

const PE = "product=palette-enterprise&version=4.7.3";
const VERTEX = "product=palette-vertex&version=4.6.12";

beforeAll(async () => {
  await seedCatalog();
});

describe("GET /api/v1/compatible", () => {
  it("starts at the OS layer and says why each other OS is hidden", async () => {
    const r = await compatible(`${PE}&useCase=controller&cloud=aws`);
    expect(r.layer).toBe("os");
    expect(offered(r)).toEqual(["rhel@8.10", "ubuntu-aws@24.04"]);
    expect(hidden(r)).toEqual({
      "ubuntu-aws@22.04": ["not published for Palette Enterprise 4.7.3"],
      "ubuntu-edge@22.04": ["not available for controller mode", "not published for aws"],
    });
  });

  it("assumes edge-native in agent mode and requires FIPS builds for VerteX", async () => {
    const r = await compatible(`${VERTEX}&useCase=agent&cloud=gcp`);
    expect(r.context).toMatchObject({ cloud: "edge-native", fips: true });
    expect(offered(r)).toEqual(["ubuntu-edge@22.04"]);
    expect(hidden(r)).toEqual({
      "rhel@8.10": ["not available for agent mode"],
      "ubuntu-aws@24.04": ["not available for agent mode", "not published for edge-native"],
      "ubuntu-aws@22.04": [
        "not published for Palette VerteX 4.6.12",
        "not available for agent mode",
        "not published for edge-native",
        "not FIPS-compliant",
      ],
    });
  });

  it("offers Kubernetes versions by arch after the OS, and never a yanked one", async () => {
    const r = await compatible(`${PE}&useCase=controller&cloud=aws&arch=arm64&packs=ubuntu-aws@24.04`);
    expect(r.layer).toBe("k8s");
    expect(offered(r)).toEqual(["kubernetes@1.32.3", "kubernetes@1.31.2", "kubernetes@1.30.4"]);
    expect(hidden(r)["kubernetes@1.29.8"]).toEqual(["no arm64 build"]);
    expect([...offered(r), ...Object.keys(hidden(r))]).not.toContain("kubernetes@1.28.0");
    expect(hidden(r)["edge-k8s@1.30.4"]).toEqual(["not available for controller mode", "not published for aws"]);
  });

  it("hides CNIs whose Kubernetes requirement the chosen version misses", async () => {
    const r = await compatible(`${PE}&useCase=controller&cloud=aws&packs=ubuntu-aws@24.04,kubernetes@1.32.3`);
    expect(r.layer).toBe("cni");
    expect(offered(r)).toEqual(["cni-calico@3.29.2", "cni-flannel@0.24.0"]);
    expect(hidden(r)).toEqual({
      "cni-calico@3.26.0": ["requires kubernetes <= 1.29.99"],
      "cni-cilium@1.16.1": ["requires kubernetes >= 1.29 and <= 1.31"],
    });
  });

  it("applies a chosen pack's constraints to the candidates (the reverse direction)", async () => {
    const r = await compatible(`${PE}&useCase=controller&cloud=aws&layer=k8s&packs=ubuntu-aws@24.04,cni-cilium@1.16.1`);
    expect(offered(r)).toEqual(["kubernetes@1.31.2", "kubernetes@1.30.4", "kubernetes@1.29.8"]);
    expect(hidden(r)["kubernetes@1.32.3"]).toEqual(["cni-cilium 1.16.1 requires kubernetes >= 1.29 and <= 1.31"]);
  });

  it("assesses chosen packs alone exactly as their layers' queries do, and names the ones not published", async () => {
    const packs =
      "ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.26.0,nginx@1.10.0,kubernetes-gone@1.0.0,kubernetes@1.28.0";
    const query = compatibleQuery.parse({
      product: "palette-enterprise",
      version: "4.7.3",
      useCase: "controller",
      cloud: "aws",
      fips: "true",
      packs,
    });
    const { chosen, missing } = await assessChosenPacks(catalogDb(), query);
    expect(missing).toEqual([
      { name: "kubernetes-gone", version: "1.0.0" },
      { name: "kubernetes", version: "1.28.0" },
    ]);
    expect(chosen.map((p) => `${p.name}@${p.version}`)).toEqual([
      "ubuntu-aws@22.04",
      "kubernetes@1.32.3",
      "cni-calico@3.26.0",
      "nginx@1.10.0",
    ]);
    const present = "ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.26.0,nginx@1.10.0";
    for (const pack of chosen) {
      const layer = await compatible(
        `${PE}&useCase=controller&cloud=aws&fips=true&layer=${pack.layer}&packs=${present}`,
      );
      const asCandidate = layer.hidden.find((h) => h.name === pack.name && h.version === pack.version)?.reasons ?? [];
      if (!asCandidate.length) expect(offered(layer)).toContain(`${pack.name}@${pack.version}`);
      expect(pack.reasons, `${pack.name}@${pack.version}`).toEqual(asCandidate);
    }
    expect(chosen.find((p) => p.name === "nginx")?.reasons).toContain("not FIPS-compliant");
    expect(chosen.find((p) => p.name === "cni-calico")?.reasons).toContain("requires kubernetes <= 1.29.99");
  });

  it("hides add-ons not supported with, or requiring another than, the chosen CNI", async () => {
    const withFlannel = await compatible(
      `${PE}&useCase=controller&cloud=aws&layer=addon&packs=kubernetes@1.31.2,cni-flannel@0.24.0`,
    );
    expect(hidden(withFlannel)["prometheus-operator@65.1.0"]).toEqual(["not supported with cni-flannel 0.24.0"]);
    expect(hidden(withFlannel)["istio@1.23.0"]).toEqual(["requires cni-cilium"]);
    const withCilium = await compatible(
      `${PE}&useCase=controller&cloud=aws&layer=addon&packs=kubernetes@1.31.2,cni-cilium@1.16.1`,
    );
    expect(offered(withCilium)).toContain("istio@1.23.0");
    expect(offered(withCilium)).toContain("prometheus-operator@65.1.0");
    expect(offered(withCilium)).not.toContain("retired-logger@2.0.0");
  });

  it("goes straight to add-ons for add-on only", async () => {
    const r = await compatible(`${PE}&useCase=addon`);
    expect(r.layer).toBe("addon");
    expect(offered(r)).toEqual([
      "hello-universe@1.2.0",
      "istio@1.23.0",
      "nginx@1.11.2",
      "nginx@1.10.0",
      "prometheus-operator@65.1.0",
      "spectro-k8s-dashboard@7.11.1",
    ]);
  });

  it("offers both FIPS and non-FIPS builds unless FIPS is asked for", async () => {
    const both = await compatible(`${PE}&useCase=controller&cloud=aws&layer=addon&fips=false`);
    expect(offered(both)).toEqual(expect.arrayContaining(["nginx@1.11.2", "nginx@1.10.0"]));
    const fipsOnly = await compatible(`${PE}&useCase=controller&cloud=aws&layer=addon&fips=true`);
    expect(offered(fipsOnly)).toEqual(["nginx@1.11.2", "spectro-k8s-dashboard@7.11.1"]);
    expect(hidden(fipsOnly)["nginx@1.10.0"]).toEqual(["not FIPS-compliant"]);
    const vertexEvenIfAsked = await compatible(`${VERTEX}&useCase=controller&cloud=aws&layer=addon&fips=false`);
    expect(hidden(vertexEvenIfAsked)["nginx@1.10.0"]).toEqual(["not FIPS-compliant"]);
  });

  it.each([
    ["version=4.7.3&useCase=controller", "product"],
    ["product=palette-enterprise&useCase=controller", "version"],
    [`${PE}`, "useCase"],
    [`${PE}&useCase=robot`, "useCase"],
    [`${PE}&useCase=controller&cloud=mars`, "cloud"],
    [`${PE}&useCase=controller&arch=x86`, "arch"],
    [`${PE}&useCase=controller&fips=1`, "fips"],
    [`${PE}&useCase=controller&layer=kernel`, "layer"],
    [`${PE}&useCase=controller&packs=kubernetes`, "packs"],
    [`${PE}&useCase=controller&packs=kubernetes@`, "packs"],
    [`${PE}&useCase=controller&packs=Bad_Name@1.0`, "packs"],
    [`${PE}&useCase=controller&packs=kubernetes@1.31.2,kubernetes@1.30.4`, "packs"],
  ])("refuses %s naming %s", async (query, field) => {
    const error = await refused(query, 400);
    expect(error.code).toBe("invalid_request");
    expect(error.details?.[0].field).toBe(field);
    expect(error.message.startsWith(`${field}:`), error.message).toBe(true);
  });

  it("404s an unknown product, product version or chosen pack (a yanked one included)", async () => {
    expect((await refused("product=palette-nope&version=4.7.3&useCase=controller", 404)).message).toBe(
      "product palette-nope not found",
    );
    expect((await refused("product=palette-vertex&version=4.5.23&useCase=controller", 404)).message).toBe(
      "Palette VerteX version 4.5.23 not found",
    );
    expect((await refused(`${PE}&useCase=controller&packs=kubernetes@9.9.9`, 404)).message).toBe(
      "pack kubernetes@9.9.9 not found",
    );
    expect((await refused(`${PE}&useCase=controller&packs=kubernetes@1.28.0`, 404)).code).toBe("not_found");
    const hundred = Array.from({ length: 99 }, (_, i) => `addon-${i}@1.0.0`)
      .concat("kubernetes@1.31.2")
      .join(",");
    expect((await refused(`${PE}&useCase=controller&packs=${hundred}`, 404)).message).toBe(
      "pack addon-0@1.0.0, addon-1@1.0.0, addon-2@1.0.0, addon-3@1.0.0, addon-4@1.0.0 and 94 more not found",
    );
  });
});
