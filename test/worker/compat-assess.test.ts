// assessPack, the pure compatibility rules: every reason a pack version is hidden, and the cases
// where a constraint must NOT hide it.
import { describe, expect, it } from "vitest";
import { inDependencyRange } from "../../worker/catalog/versions";
import {
  assessPack,
  type CandidatePack,
  type ChosenPack,
  type CompatibilityContext,
  nextLayer,
} from "../../worker/catalog/compatibility";
import { rangeText } from "../../worker/domain/vocabulary";

const pack = (over: Partial<CandidatePack> & Pick<CandidatePack, "name" | "version" | "layer">): CandidatePack => ({
  fips: false,
  arches: ["amd64", "arm64"],
  clouds: ["all"],
  useCases: ["controller", "agent", "addon"],
  products: [{ product: "palette-enterprise", minVersion: null, maxVersion: null }],
  dependencies: [],
  ...over,
});

const context = (over: Partial<CompatibilityContext> = {}): CompatibilityContext => ({
  product: { id: "palette-enterprise", name: "Palette Enterprise" },
  productVersion: "4.5.23",
  useCase: "controller",
  cloud: "aws",
  fips: false,
  chosen: [],
  ...over,
});

const k8s = (version: string): ChosenPack => ({ name: "kubernetes", version, layer: "k8s", dependencies: [] });
const dep = (
  packName: string,
  layer: CandidatePack["layer"],
  type: "required" | "optional" | "notSupported" | "upgrade",
  minVersion: string | null = null,
  maxVersion: string | null = null,
) => ({
  packName,
  layer,
  type,
  minVersion,
  maxVersion,
});

describe("assessPack: what the bundle is for", () => {
  it("offers a pack that fits everything", () => {
    expect(assessPack(pack({ name: "cni-calico", version: "3.29.2", layer: "cni" }), context())).toEqual([]);
  });

  it("hides a pack not published for the product version, inside or outside its range", () => {
    const ranged = pack({
      name: "kubernetes",
      version: "1.32.3",
      layer: "k8s",
      products: [{ product: "palette-enterprise", minVersion: "4.6.0", maxVersion: "4.7.99" }],
    });
    expect(assessPack(ranged, context())).toEqual(["not published for Palette Enterprise 4.5.23"]);
    expect(assessPack(ranged, context({ productVersion: "4.6.0" }))).toEqual([]);
    expect(assessPack(ranged, context({ productVersion: "4.7.99" }))).toEqual([]);
    expect(assessPack(ranged, context({ productVersion: "4.8.0" }))).toEqual([
      "not published for Palette Enterprise 4.8.0",
    ]);
    const vertex = context({ product: { id: "palette-vertex", name: "Palette VerteX" }, productVersion: "4.6.12" });
    expect(assessPack(ranged, vertex)).toEqual(["not published for Palette VerteX 4.6.12"]);
  });

  it("hides a pack not available for the use case", () => {
    const controllerOnly = pack({ name: "cni-cilium", version: "1.16.1", layer: "cni", useCases: ["controller"] });
    expect(assessPack(controllerOnly, context({ useCase: "agent" }))).toContain("not available for agent mode");
  });

  it("offers add-on only any pack of any layer, several per layer (a parts list, as the docs say)", () => {
    const controllerOnly = pack({ name: "cni-cilium", version: "1.16.1", layer: "cni", useCases: ["controller"] });
    const calico: ChosenPack = { name: "cni-calico", version: "3.29.2", layer: "cni", dependencies: [] };
    expect(assessPack(controllerOnly, context({ useCase: "addon", cloud: undefined, chosen: [calico] }))).toEqual([]);
    // The chosen packs' constraints still hold between them.
    const noCilium: ChosenPack = {
      name: "istio",
      version: "1.23.0",
      layer: "addon",
      dependencies: [dep("cni-cilium", "cni", "notSupported")],
    };
    expect(assessPack(controllerOnly, context({ useCase: "addon", cloud: undefined, chosen: [noCilium] }))).toEqual([
      "istio 1.23.0 does not support cni-cilium 1.16.1",
    ]);
  });

  it('hides a pack not published for the cloud, where "all" matches every cloud', () => {
    const awsOnly = pack({ name: "csi-aws-ebs", version: "1.41.0", layer: "csi", clouds: ["aws"] });
    expect(assessPack(awsOnly, context({ cloud: "gcp" }))).toEqual(["not published for gcp"]);
    expect(assessPack(awsOnly, context({ cloud: "aws" }))).toEqual([]);
    expect(
      assessPack(pack({ name: "rhel", version: "8.10", layer: "os", clouds: ["all"] }), context({ cloud: "maas" })),
    ).toEqual([]);
    expect(assessPack(awsOnly, context({ cloud: undefined }))).toEqual([]);
  });

  it("assumes edge-native in agent mode, whatever cloud was asked for", () => {
    const edge = pack({
      name: "ubuntu-edge",
      version: "22.04",
      layer: "os",
      clouds: ["edge-native"],
      useCases: ["agent"],
    });
    expect(assessPack(edge, context({ useCase: "agent", cloud: "aws" }))).toEqual([]);
    expect(assessPack(edge, context({ useCase: "agent", cloud: undefined }))).toEqual([]);
    const awsOnly = pack({ name: "ubuntu-aws", version: "22.04", layer: "os", clouds: ["aws"] });
    expect(assessPack(awsOnly, context({ useCase: "agent", cloud: "aws" }))).toEqual(["not published for edge-native"]);
  });

  it("hides a pack without a build for the arch", () => {
    expect(
      assessPack(pack({ name: "rhel", version: "8.10", layer: "os", arches: ["amd64"] }), context({ arch: "arm64" })),
    ).toEqual(["no arm64 build"]);
    expect(
      assessPack(pack({ name: "rhel", version: "8.10", layer: "os", arches: ["amd64"] }), context({ arch: "amd64" })),
    ).toEqual([]);
  });

  it("hides a non-FIPS pack only when FIPS is required", () => {
    const plain = pack({ name: "cni-flannel", version: "0.24.0", layer: "cni", fips: false });
    expect(assessPack(plain, context({ fips: true }))).toEqual(["not FIPS-compliant"]);
    expect(assessPack(plain, context({ fips: false }))).toEqual([]);
    expect(assessPack({ ...plain, fips: true }, context({ fips: false }))).toEqual([]);
  });

  it("gives every reason at once", () => {
    const misfit = pack({
      name: "x",
      version: "1.0.0",
      layer: "addon",
      fips: false,
      arches: ["amd64"],
      clouds: ["vsphere"],
      useCases: ["agent"],
      products: [],
    });
    expect(assessPack(misfit, context({ useCase: "controller", cloud: "gcp", arch: "arm64", fips: true }))).toEqual([
      "not published for Palette Enterprise 4.5.23",
      "not available for controller mode",
      "not published for gcp",
      "no arm64 build",
      "not FIPS-compliant",
    ]);
  });
});

describe("assessPack: the candidate's constraints against the chosen packs", () => {
  it("hides a pack whose required dependency is chosen at a version out of range", () => {
    const calico = pack({
      name: "cni-calico",
      version: "3.29.2",
      layer: "cni",
      dependencies: [dep("kubernetes", "k8s", "required", "1.29")],
    });
    expect(assessPack(calico, context({ chosen: [k8s("1.28.4")] }))).toEqual(["requires kubernetes >= 1.29"]);
    expect(assessPack(calico, context({ chosen: [k8s("1.29.0")] }))).toEqual([]);
    const bounded = { ...calico, dependencies: [dep("kubernetes", "k8s", "required", "1.29", "1.31")] };
    expect(assessPack(bounded, context({ chosen: [k8s("1.32.3")] }))).toEqual([
      "requires kubernetes >= 1.29 and <= 1.31",
    ]);
    const capped = { ...calico, dependencies: [dep("kubernetes", "k8s", "required", null, "1.29.99")] };
    expect(assessPack(capped, context({ chosen: [k8s("1.30.4")] }))).toEqual(["requires kubernetes <= 1.29.99"]);
  });

  it("hides a pack whose required pack's layer is filled by another pack", () => {
    const istio = pack({
      name: "istio",
      version: "1.23.0",
      layer: "addon",
      dependencies: [dep("cni-cilium", "cni", "required")],
    });
    const calico: ChosenPack = { name: "cni-calico", version: "3.29.2", layer: "cni", dependencies: [] };
    expect(assessPack(istio, context({ chosen: [k8s("1.30.4"), calico] }))).toEqual(["requires cni-cilium"]);
    expect(
      assessPack(istio, context({ chosen: [k8s("1.30.4"), { ...calico, name: "cni-cilium", version: "1.16.1" }] })),
    ).toEqual([]);
  });

  it("does not hide a pack over a dependency on a layer not yet chosen", () => {
    const calico = pack({
      name: "cni-calico",
      version: "3.29.2",
      layer: "cni",
      dependencies: [dep("kubernetes", "k8s", "required", "1.29")],
    });
    expect(assessPack(calico, context({ chosen: [] }))).toEqual([]);
    const istio = pack({
      name: "istio",
      version: "1.23.0",
      layer: "addon",
      dependencies: [dep("cni-cilium", "cni", "required")],
    });
    expect(assessPack(istio, context({ chosen: [k8s("1.30.4")] }))).toEqual([]);
  });

  it("does not hide an add-on whose required add-on is simply not chosen yet", () => {
    const grafana = pack({
      name: "grafana",
      version: "11.0.0",
      layer: "addon",
      dependencies: [dep("prometheus-operator", "addon", "required")],
    });
    const nginx: ChosenPack = { name: "nginx", version: "1.11.2", layer: "addon", dependencies: [] };
    expect(assessPack(grafana, context({ chosen: [nginx] }))).toEqual([]);
    const oldProm: ChosenPack = { name: "prometheus-operator", version: "40.0.0", layer: "addon", dependencies: [] };
    expect(
      assessPack(
        { ...grafana, dependencies: [dep("prometheus-operator", "addon", "required", "60.0.0")] },
        context({ chosen: [oldProm] }),
      ),
    ).toEqual(["requires prometheus-operator >= 60.0.0"]);
  });

  it("hides a pack not supported with a chosen pack, within the stated range only", () => {
    const prom = pack({
      name: "prometheus-operator",
      version: "65.1.0",
      layer: "addon",
      dependencies: [dep("cni-flannel", "cni", "notSupported", null, "0.24.99")],
    });
    const flannel = (version: string): ChosenPack => ({ name: "cni-flannel", version, layer: "cni", dependencies: [] });
    expect(assessPack(prom, context({ chosen: [flannel("0.24.0")] }))).toEqual([
      "not supported with cni-flannel 0.24.0",
    ]);
    expect(assessPack(prom, context({ chosen: [flannel("0.25.0")] }))).toEqual([]);
    const anyVersion = { ...prom, dependencies: [dep("cni-flannel", "cni", "notSupported")] };
    expect(assessPack(anyVersion, context({ chosen: [flannel("0.25.0")] }))).toEqual([
      "not supported with cni-flannel 0.25.0",
    ]);
  });

  it("never hides over optional or upgrade dependencies", () => {
    const p = pack({
      name: "nginx",
      version: "1.11.2",
      layer: "addon",
      dependencies: [dep("kubernetes", "k8s", "optional", "1.99"), dep("cni-cilium", "cni", "upgrade", "9.0")],
    });
    expect(
      assessPack(
        p,
        context({ chosen: [k8s("1.30.4"), { name: "cni-calico", version: "3.29.2", layer: "cni", dependencies: [] }] }),
      ),
    ).toEqual([]);
  });
});

describe("assessPack: the chosen packs' constraints on the candidate", () => {
  const cilium: ChosenPack = {
    name: "cni-cilium",
    version: "1.16.1",
    layer: "cni",
    dependencies: [dep("kubernetes", "k8s", "required", "1.29", "1.31")],
  };

  it("hides a candidate version a chosen pack requires a different range of", () => {
    const kubernetes = (version: string) => pack({ name: "kubernetes", version, layer: "k8s" });
    expect(assessPack(kubernetes("1.28.4"), context({ chosen: [cilium] }))).toEqual([
      "cni-cilium 1.16.1 requires kubernetes >= 1.29 and <= 1.31",
    ]);
    expect(assessPack(kubernetes("1.32.3"), context({ chosen: [cilium] }))).toEqual([
      "cni-cilium 1.16.1 requires kubernetes >= 1.29 and <= 1.31",
    ]);
    expect(assessPack(kubernetes("1.30.4"), context({ chosen: [cilium] }))).toEqual([]);
    expect(assessPack(kubernetes("1.31.9"), context({ chosen: [cilium] }))).toEqual([]); // "<= 1.31" covers the 1.31 line
    const calicoLike: ChosenPack = { ...cilium, dependencies: [dep("kubernetes", "k8s", "required", "1.29")] };
    expect(assessPack(kubernetes("1.28.4"), context({ chosen: [calicoLike] }))).toEqual([
      "cni-cilium 1.16.1 requires kubernetes >= 1.29",
    ]);
  });

  it("hides a candidate when a chosen pack requires another pack in its one-pack layer", () => {
    const rke2 = pack({ name: "kubernetes-rke2", version: "1.30.4", layer: "k8s" });
    expect(assessPack(rke2, context({ chosen: [cilium] }))).toEqual([
      "cni-cilium 1.16.1 requires kubernetes >= 1.29 and <= 1.31",
    ]);
  });

  it("hides a candidate a chosen pack does not support", () => {
    const chosenProm: ChosenPack = {
      name: "prometheus-operator",
      version: "65.1.0",
      layer: "addon",
      dependencies: [dep("cni-flannel", "cni", "notSupported", null, "0.24.99")],
    };
    expect(
      assessPack(pack({ name: "cni-flannel", version: "0.24.0", layer: "cni" }), context({ chosen: [chosenProm] })),
    ).toEqual(["prometheus-operator 65.1.0 does not support cni-flannel 0.24.0"]);
    expect(
      assessPack(pack({ name: "cni-flannel", version: "0.26.0", layer: "cni" }), context({ chosen: [chosenProm] })),
    ).toEqual([]);
  });

  it("ignores the chosen pack the candidate would replace", () => {
    // Choosing another Kubernetes: the currently chosen one (and anything about its own layer) is no constraint.
    const picky: ChosenPack = {
      name: "kubernetes",
      version: "1.30.4",
      layer: "k8s",
      dependencies: [dep("kubernetes", "k8s", "notSupported")],
    };
    expect(
      assessPack(pack({ name: "kubernetes", version: "1.31.2", layer: "k8s" }), context({ chosen: [picky] })),
    ).toEqual([]);
    expect(
      assessPack(pack({ name: "kubernetes-rke2", version: "1.31.2", layer: "k8s" }), context({ chosen: [picky] })),
    ).toEqual([]);
  });

  it("treats required packs in one layer as alternatives, both ways", () => {
    const either = [dep("kubernetes", "k8s", "required", "1.29"), dep("kubernetes-rke2", "k8s", "required", "1.30")];
    const cni = pack({ name: "cni-x", version: "1.0.0", layer: "cni", dependencies: either });
    const rke2 = (version: string): ChosenPack => ({
      name: "kubernetes-rke2",
      version,
      layer: "k8s",
      dependencies: [],
    });
    expect(assessPack(cni, context({ chosen: [k8s("1.29.1")] }))).toEqual([]);
    expect(assessPack(cni, context({ chosen: [rke2("1.30.2")] }))).toEqual([]);
    expect(assessPack(cni, context({ chosen: [rke2("1.29.9")] }))).toEqual(["requires kubernetes-rke2 >= 1.30"]);
    expect(
      assessPack(cni, context({ chosen: [{ name: "k3s", version: "1.31.0", layer: "k8s", dependencies: [] }] })),
    ).toEqual(["requires kubernetes >= 1.29 or kubernetes-rke2 >= 1.30"]);
    const chosenCni: ChosenPack = { name: "cni-x", version: "1.0.0", layer: "cni", dependencies: either };
    expect(
      assessPack(pack({ name: "kubernetes-rke2", version: "1.30.4", layer: "k8s" }), context({ chosen: [chosenCni] })),
    ).toEqual([]);
    expect(
      assessPack(pack({ name: "kubernetes", version: "1.28.0", layer: "k8s" }), context({ chosen: [chosenCni] })),
    ).toEqual(["cni-x 1.0.0 requires kubernetes >= 1.29"]);
    expect(
      assessPack(pack({ name: "k3s", version: "1.31.0", layer: "k8s" }), context({ chosen: [chosenCni] })),
    ).toEqual(["cni-x 1.0.0 requires kubernetes >= 1.29 or kubernetes-rke2 >= 1.30"]);
  });

  it("requires each required add-on on its own, not as alternatives", () => {
    const stack = pack({
      name: "stack",
      version: "1.0.0",
      layer: "addon",
      dependencies: [dep("prometheus-operator", "addon", "required", "60"), dep("grafana", "addon", "required", "11")],
    });
    const chosen: ChosenPack[] = [
      { name: "prometheus-operator", version: "65.1.0", layer: "addon", dependencies: [] },
      { name: "grafana", version: "10.4.0", layer: "addon", dependencies: [] },
    ];
    expect(assessPack(stack, context({ chosen }))).toEqual(["requires grafana >= 11"]);
  });

  it("gives a reason once even when two constraints say the same", () => {
    const a: ChosenPack = {
      name: "a",
      version: "1.0.0",
      layer: "addon",
      dependencies: [dep("kubernetes", "k8s", "required", "1.29")],
    };
    const reasons = assessPack(
      pack({ name: "kubernetes", version: "1.28.0", layer: "k8s" }),
      context({ chosen: [a, { ...a }] }),
    );
    expect(reasons).toEqual(["a 1.0.0 requires kubernetes >= 1.29"]);
  });
});

describe("layer order and wording", () => {
  it("offers layers in the order os → k8s → cni → csi → addon", () => {
    expect(nextLayer("controller", [])).toBe("os");
    expect(nextLayer("controller", [{ layer: "os" }])).toBe("k8s");
    expect(nextLayer("agent", [{ layer: "os" }, { layer: "k8s" }])).toBe("cni");
    expect(nextLayer("controller", [{ layer: "os" }, { layer: "k8s" }, { layer: "cni" }])).toBe("csi");
    expect(nextLayer("controller", [{ layer: "os" }, { layer: "k8s" }, { layer: "cni" }, { layer: "csi" }])).toBe(
      "addon",
    );
    expect(nextLayer("addon", [])).toBe("addon");
  });

  it("reads a dependency maximum with fewer than three parts as its whole line", () => {
    expect(inDependencyRange("1.31.9", "1.29", "1.31")).toBe(true);
    expect(inDependencyRange("1.31.2-rc1", null, "1.31")).toBe(true);
    expect(inDependencyRange("1.32.0", null, "1.31")).toBe(false);
    expect(inDependencyRange("1.31.3", null, "1.31.2")).toBe(false);
    expect(inDependencyRange("2.0.0", null, "1")).toBe(false);
    expect(inDependencyRange("1.9.0", null, "1")).toBe(true);
    expect(inDependencyRange("1.28.9", "1.29", null)).toBe(false);
    expect(inDependencyRange("1.29.0", "1.29", null)).toBe(true);
  });

  it("words ranges", () => {
    expect(rangeText("1.29", "1.31")).toBe(">= 1.29 and <= 1.31");
    expect(rangeText("1.29", null)).toBe(">= 1.29");
    expect(rangeText(null, "1.31")).toBe("<= 1.31");
    expect(rangeText(null, undefined)).toBe("");
  });
});
