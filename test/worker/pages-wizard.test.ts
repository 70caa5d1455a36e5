// The bundle wizard as HTML: each step's URL carries the state, forms work without JavaScript
// (GET to /bundle/next, which redirects to the next step's canonical URL), only compatible packs
// are offered with the hidden ones and their reasons in a <details>, and a bundle can be exported
// as a spec and imported again.
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCatalog } from "./support/catalog-fixture";
import { attributes, decode, formAround, getPage, hiddenInputs, htmlPage, ORIGIN, redirectOf } from "./pages-support";

const BASE = "product=palette-enterprise&version=4.6.12";
const CONTROLLER = `${BASE}&useCase=controller&cloud=aws`;

beforeAll(async () => {
  await seedCatalog();
});

/** The values of the pick inputs a layer page offers. */
const offeredPicks = (body: string) => attributes(body, /<input\b[^>]*name="pick"[^>]*>/g, "value").filter(Boolean);
const hiddenSection = (body: string) =>
  body.slice(body.indexOf('<details class="hidden-packs">'), body.indexOf("</details>"));

describe("the first steps", () => {
  it("asks for the product with a no-JS form and offers spec import", async () => {
    const body = await htmlPage("/bundle/product");
    const form = formAround(body, 'name="product"');
    expect(form).toContain('method="get" action="/bundle/next"');
    expect(hiddenInputs(form).from).toBe("product");
    expect(attributes(form, /<input\b[^>]*name="product"[^>]*>/g, "value")).toEqual([
      "palette-enterprise",
      "palette-vertex",
    ]);
    expect(body).toContain("Palette Enterprise Appliance");
    expect(body).toContain("Palette VerteX Appliance");
    const upload = formAround(body, 'name="spec"');
    expect(upload).toContain('method="post" action="/bundle/import" enctype="multipart/form-data"');
    expect(upload).toMatch(/<input id="spec-file" type="file" name="spec"/);
    // The left menu lists the steps; the current one is marked, the ones not yet reachable are not links.
    expect(body).toMatch(/<a href="\/bundle\/product" aria-current="step">Select Product<\/a>/);
    expect(body).toMatch(/<span aria-disabled="true">Current Version<\/span>/);
  });

  it("walks product → version → use case, keeping the state in the URL", async () => {
    expect(await redirectOf("/bundle/next?from=product&product=palette-enterprise&go=next")).toBe(
      "/bundle/version?product=palette-enterprise",
    );
    const version = await htmlPage("/bundle/version?product=palette-enterprise");
    expect(attributes(version, /<option\b[^>]*>/g, "value")).toEqual(["4.7.3", "4.6.12", "4.5.23"]);
    expect(hiddenInputs(formAround(version, 'name="version"'))).toEqual({
      from: "version",
      product: "palette-enterprise",
    });
    expect(await redirectOf(`/bundle/next?from=version&product=palette-enterprise&version=4.6.12&go=next`)).toBe(
      `/bundle/use-case?${BASE}`,
    );
  });

  it("sends each use case where the docs say: cloud, straight to OS (edge native), or the add-on search", async () => {
    expect(await redirectOf(`/bundle/next?from=use-case&${BASE}&useCase=controller&go=next`)).toBe(
      `/bundle/cloud?${BASE}&useCase=controller`,
    );
    expect(await redirectOf(`/bundle/next?from=use-case&${BASE}&useCase=agent&go=next`)).toBe(
      `/bundle/layers/os?${BASE}&useCase=agent`,
    );
    expect(await redirectOf(`/bundle/next?from=use-case&${BASE}&useCase=addon&go=next`)).toBe(
      `/bundle/layers/addon?${BASE}&useCase=addon`,
    );
    expect(await redirectOf(`/bundle/next?from=cloud&${BASE}&useCase=controller&cloud=aws&go=next`)).toBe(
      `/bundle/layers/os?${CONTROLLER}`,
    );
    const useCase = await htmlPage(`/bundle/use-case?${BASE}`);
    expect(useCase).toContain("Agent mode binaries cannot be downloaded at this time.");
    const cloud = await htmlPage(`/bundle/cloud?${BASE}&useCase=controller`);
    expect(attributes(cloud, /<input\b[^>]*name="cloud"[^>]*>/g, "value")).toEqual([
      "aws",
      "gcp",
      "azure",
      "maas",
      "openstack",
      "vsphere",
    ]);
    expect(cloud).toContain("Public clouds");
    expect(cloud).toContain("Data centers");
  });

  it("sends a visitor who skipped ahead back to the first missing step", async () => {
    expect(await redirectOf("/bundle/layers/os?product=palette-enterprise")).toBe(
      "/bundle/version?product=palette-enterprise",
    );
    expect(await redirectOf(`/bundle/review?${BASE}&useCase=controller`)).toBe(
      `/bundle/cloud?${BASE}&useCase=controller`,
    );
  });

  it("starts over when another product is chosen", async () => {
    expect(
      await redirectOf(
        `/bundle/next?from=product&previous=palette-enterprise&product=palette-vertex&version=4.6.12&useCase=agent&packs=ubuntu-edge@22.04&go=next`,
      ),
    ).toBe("/bundle/version?product=palette-vertex");
  });
});

describe("configuring layers", () => {
  it("offers only compatible OS packs and explains every hidden one", async () => {
    const body = await htmlPage(`/bundle/layers/os?${CONTROLLER}`);
    expect(offeredPicks(body)).toEqual(
      ["ubuntu-aws@24.04", "ubuntu-aws@22.04", "rhel@8.10"].sort((a, b) => body.indexOf(a) - body.indexOf(b)),
    );
    const hidden = hiddenSection(body);
    expect(hidden).toContain("<summary>Show hidden packs (1)</summary>");
    expect(hidden).toContain("Ubuntu (Edge) 22.04");
    expect(hidden).toContain("not available for controller mode");
    expect(hidden).toContain("not published for aws");
    const form = formAround(body, 'name="pick"');
    expect(form).toContain('method="get" action="/bundle/next"');
    const hiddenFields = hiddenInputs(form);
    expect(hiddenFields).toMatchObject({
      from: "os",
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
    });
    expect(hiddenFields.shown.split(",").sort()).toEqual(["rhel@8.10", "ubuntu-aws@22.04", "ubuntu-aws@24.04"]);
    expect(form).toMatch(/<button type="submit" name="go" value="next">Next Layer<\/button>/);
    expect(body).toMatch(/<a href="\/bundle\/layers\/os\?[^"]*" aria-current="step">OS<\/a>/);
  });

  it("applies a pick and moves to the next layer; picking again replaces the layer's pack", async () => {
    const toK8s = await redirectOf(
      `/bundle/next?from=os&${CONTROLLER}&shown=rhel@8.10,ubuntu-aws@22.04,ubuntu-aws@24.04&pick=ubuntu-aws@22.04&go=next`,
    );
    expect(toK8s).toBe(`/bundle/layers/k8s?${CONTROLLER}&packs=ubuntu-aws@22.04`);
    const changed = await redirectOf(
      `/bundle/next?from=os&${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.31.2&shown=rhel@8.10,ubuntu-aws@22.04,ubuntu-aws@24.04&pick=rhel@8.10&go=next`,
    );
    expect(changed).toBe(`/bundle/layers/k8s?${CONTROLLER}&packs=kubernetes@1.31.2,rhel@8.10`);
    const k8s = await htmlPage(toK8s);
    expect(offeredPicks(k8s)).toEqual([
      "kubernetes@1.32.3",
      "kubernetes@1.31.2",
      "kubernetes@1.30.4",
      "kubernetes@1.29.8",
    ]);
    expect(hiddenSection(k8s)).toContain("Palette Optimized Edge Kubernetes 1.30.4");
  });

  it("hides network packs whose constraints the chosen Kubernetes breaks, saying which", async () => {
    const body = await htmlPage(`/bundle/layers/cni?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3`);
    expect(offeredPicks(body)).toEqual(["cni-calico@3.29.2", "cni-flannel@0.24.0"]);
    const hidden = decode(hiddenSection(body));
    expect(hidden).toMatch(/Calico 3\.26\.0<\/a>\s*<span class="reasons"> — requires kubernetes <= 1\.29\.99/);
    expect(hidden).toMatch(/Cilium 1\.16\.1<\/a>\s*<span class="reasons"> — requires kubernetes >= 1\.29 and <= 1\.31/);
  });

  it("offers only FIPS builds for VerteX and narrows by architecture, saying why the rest are hidden", async () => {
    const vertex = await htmlPage(
      "/bundle/layers/k8s?product=palette-vertex&version=4.7.3&useCase=controller&cloud=aws",
    );
    expect(offeredPicks(vertex)).toEqual(["kubernetes@1.31.2", "kubernetes@1.30.4"]);
    expect(hiddenSection(vertex)).toContain("not FIPS-compliant");
    expect(vertex).toContain("FIPS only (product)");
    // The filter bar is part of the same form: applying it keeps the state and the step.
    expect(await redirectOf(`/bundle/next?from=os&${CONTROLLER}&arch=arm64&go=stay`)).toBe(
      `/bundle/layers/os?${CONTROLLER}&arch=arm64`,
    );
    const arm = await htmlPage(`/bundle/layers/os?${CONTROLLER}&arch=arm64`);
    expect(offeredPicks(arm)).toEqual(["ubuntu-aws@24.04"]);
    expect(hiddenSection(arm)).toContain("no arm64 build");
    expect(arm).toMatch(/<option value="arm64" selected>/);
  });

  it("keeps the chosen pack checked when revisiting a layer", async () => {
    const body = await htmlPage(`/bundle/layers/k8s?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.31.2`);
    expect(body).toMatch(/<input type="radio" name="pick" value="kubernetes@1\.31\.2" checked/);
    expect(body).not.toMatch(/value="kubernetes@1\.32\.3" checked/);
  });

  it("agent mode assumes edge native and shows the agent notice", async () => {
    const body = await htmlPage(`/bundle/layers/os?${BASE}&useCase=agent`);
    expect(offeredPicks(body)).toEqual(["ubuntu-edge@22.04"]);
    expect(body).toContain("Edge Native");
    expect(body).toContain("Agent mode binaries cannot be downloaded at this time.");
    expect(body).not.toMatch(/href="\/bundle\/cloud/);
  });

  it("add-on only is a searchable pack list whose picks survive searching", async () => {
    const url = `/bundle/layers/addon?${BASE}&useCase=addon`;
    const body = await htmlPage(url);
    expect(body).toContain("Configure bundle</h1>");
    expect(offeredPicks(body)).toEqual(
      expect.arrayContaining(["nginx@1.11.2", "prometheus-operator@65.1.0", "spectro-k8s-dashboard@7.11.1"]),
    );
    const form = formAround(body, 'name="q"');
    expect(form).toMatch(/<button type="submit" name="go" value="next">Next Step<\/button>/);
    // Pick nginx, then search for "monitoring": nginx stays chosen though it is no longer shown.
    const searched = await redirectOf(
      `/bundle/next?from=addon&${BASE}&useCase=addon&shown=nginx@1.11.2,nginx@1.10.0&pick=nginx@1.11.2&q=monitoring&go=stay`,
    );
    expect(searched).toBe(`/bundle/layers/addon?${BASE}&useCase=addon&packs=nginx@1.11.2&q=monitoring`);
    const results = await htmlPage(searched);
    expect(offeredPicks(results).sort()).toEqual(["prometheus-operator@65.1.0", "spectro-k8s-dashboard@7.11.1"]);
    expect(
      await redirectOf(
        `/bundle/next?from=addon&${BASE}&useCase=addon&packs=nginx@1.11.2&shown=prometheus-operator@65.1.0&pick=prometheus-operator@65.1.0&go=next`,
      ),
    ).toBe(`/bundle/confirm?${BASE}&useCase=addon&packs=nginx@1.11.2,prometheus-operator@65.1.0`);
  });
});

describe("add-on only: every layer", () => {
  it("offers packs of every layer, labelled with their layer, and takes two network packs and a storage pack", async () => {
    const body = await htmlPage(`/bundle/layers/addon?${BASE}&useCase=addon`);
    const offered = offeredPicks(body);
    expect(offered).toEqual(
      expect.arrayContaining([
        "ubuntu-aws@22.04",
        "kubernetes@1.32.3",
        "cni-calico@3.29.2",
        "cni-flannel@0.24.0",
        "nginx@1.11.2",
      ]),
    );
    const ebs = offered.find((ref) => ref.startsWith("csi-aws-ebs@"));
    expect(ebs).toBeDefined();
    expect(body).toContain('<span class="badge accent">Network</span>');
    expect(attributes(body, /<input\b[^>]*value="cni-calico@3\.29\.2"[^>]*>/g, "type")).toEqual(["checkbox"]);
    // "storage" finds the CSIs by their layer.
    const storage = await htmlPage(`/bundle/layers/addon?${BASE}&useCase=addon&q=storage`);
    expect(offeredPicks(storage).every((ref) => ref.startsWith("csi-"))).toBe(true);
    const confirm = await redirectOf(
      `/bundle/next?from=addon&${BASE}&useCase=addon&shown=cni-calico@3.29.2,cni-flannel@0.24.0,${ebs}&pick=cni-calico@3.29.2&pick=cni-flannel@0.24.0&pick=${ebs}&go=next`,
    );
    expect(confirm).toBe(`/bundle/confirm?${BASE}&useCase=addon&packs=cni-calico@3.29.2,cni-flannel@0.24.0,${ebs}`);
    const page = await htmlPage(confirm);
    for (const file of ["cni-calico-3.29.2.zst", "cni-flannel-0.24.0.zst", `${ebs!.replace("@", "-")}.zst`])
      expect(page).toContain(file);
    // A parts list is not a cluster profile: no missing-layer warning.
    expect(page).not.toContain("data-missing-layers");
  });
});

describe("review and confirm", () => {
  const bundle = `${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.29.2`;

  it("say which core layers the bundle skips and why that matters, on Review and on Confirm", async () => {
    for (const step of ["review", "confirm"]) {
      const body = decode(await htmlPage(`/bundle/${step}?${bundle}`));
      expect(body).toContain("This bundle has no Storage pack.");
      expect(body).toContain(
        "a cluster profile needs one pack in each of the OS, Kubernetes, network and storage layers",
      );
      expect(attributes(body, /<li\b[^>]*data-layer[^>]*>/g, "data-layer")).toEqual(["csi"]);
      expect(body).toContain("the storage driver (CSI) that gives workloads persistent volumes");
      expect(attributes(body, /<a\b[^>]*>/g, "href")).toContain(`/bundle/layers/csi?${bundle}`);
    }
    const onlyOs = decode(await htmlPage(`/bundle/confirm?${CONTROLLER}&packs=ubuntu-aws@22.04`));
    expect(onlyOs).toContain("This bundle has no Kubernetes, Network or Storage pack.");
    // Skipping is allowed: the download stays available.
    expect(onlyOs).toMatch(/value="download" data-download-action="true">Download Bundle<\/button>/);
    const complete = await htmlPage(
      `/bundle/review?${bundle.replace("cni-calico@3.29.2", "cni-calico@3.29.2,csi-aws-ebs@1.41.0")}`,
    );
    expect(complete).not.toContain("data-missing-layers");
  });

  it("lets any layer be changed or removed", async () => {
    const body = await htmlPage(`/bundle/review?${bundle}`);
    expect(body).toContain("Calico</strong> 3.29.2");
    const links = attributes(body, /<a\b[^>]*>/g, "href");
    expect(links).toContain(`/bundle/review?${CONTROLLER}&packs=ubuntu-aws@22.04,cni-calico@3.29.2`);
    expect(links).toContain(`/bundle/layers/cni?${bundle}`);
    expect(body).toMatch(/aria-label="Choose a Storage pack"/);
    expect(links).toContain(`/bundle/confirm?${bundle}`);
  });

  it("flags a chosen pack that no longer fits, with the reason", async () => {
    const body = decode(
      await htmlPage(`/bundle/review?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.26.0`),
    );
    expect(body).toContain("Not compatible");
    expect(body).toContain("requires kubernetes <= 1.29.99");
  });

  it("confirms the bundle with files, export, permalink, add-ons and its own download form", async () => {
    const body = await htmlPage(`/bundle/confirm?${bundle}`);
    for (const file of [
      "ubuntu-aws-22.04.zst",
      "kubernetes-1.32.3.zst",
      "cni-calico-3.29.2.zst",
      "cni-calico-3.29.2.sig.bin",
    ])
      expect(body).toContain(file);
    const links = attributes(body, /<a\b[^>]*>/g, "href");
    expect(links).toContain(`/bundle/spec.json?${bundle}`);
    expect(links).toContain(`/bundle/layers/addon?${bundle}`);
    expect(body).toContain("Explore additional add-ons");
    expect(body).toContain(`value="${ORIGIN}/bundle/confirm?${bundle.replace(/&/g, "&amp;")}"`);
    // The download happens here: the form posts back to this same Confirm URL, which holds the bundle.
    const download = formAround(body, ">Download Bundle</button>");
    expect(download).toContain(`method="post" action="/bundle/confirm?${bundle.replace(/&/g, "&amp;")}"`);
    expect(download).toContain(">Copy all URLs</button>");
    expect(links.some((href) => href.startsWith("/download"))).toBe(false);
  });

  it("shows the agent notice on the agent bundle's confirm page", async () => {
    const body = await htmlPage(`/bundle/confirm?${BASE}&useCase=agent&packs=ubuntu-edge@22.04`);
    expect(body).toContain("Agent mode binaries cannot be downloaded at this time.");
  });
});

describe("bundle spec export and import", () => {
  const bundle = `${CONTROLLER}&arch=amd64&packs=ubuntu-aws@22.04,kubernetes@1.32.3`;
  const importSpec = (text: string) => {
    const form = new FormData();
    form.set("spec", new File([text], "bundle.json", { type: "application/json" }));
    return exports.default.fetch(`${ORIGIN}/bundle/import`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { Accept: "text/html" },
    });
  };

  it("exports the bundle as a JSON spec and imports it back to the same URL", async () => {
    const res = await exports.default.fetch(`${ORIGIN}/bundle/spec.json?${bundle}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="bundle-palette-enterprise-4.6.12.json"');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      kind: "artifact-studio/bundle",
      specVersion: 1,
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
      arch: "amd64",
      packs: [
        { name: "ubuntu-aws", version: "22.04" },
        { name: "kubernetes", version: "1.32.3" },
      ],
    });
    const imported = await importSpec(text);
    expect(imported.status).toBe(303);
    expect(imported.headers.get("Location")).toBe(`/bundle/confirm?${bundle}`);
  });

  it("refuses a bad spec with a 400 page naming the field", async () => {
    const bad = await importSpec(
      JSON.stringify({ product: "palette-enterprise", version: "4.6.12", useCase: "robot", packs: [] }),
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get("Content-Type")).toContain("text/html");
    expect(await bad.text()).toContain("<strong>useCase</strong>");
    const badPack = await importSpec(
      JSON.stringify({
        product: "palette-enterprise",
        version: "4.6.12",
        useCase: "addon",
        packs: [{ name: "Bad Name", version: "1" }],
      }),
    );
    expect(badPack.status).toBe(400);
    expect(await badPack.text()).toContain("<strong>packs.0.name</strong>");
    const notJson = await importSpec("{ not json");
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toContain("<strong>spec</strong>");
  });
});

describe("bad wizard input", () => {
  it("answers malformed state with a 400 page naming the field, never a 500", async () => {
    for (const [query, field] of [
      [`${BASE}&useCase=robot`, "useCase"],
      [`${BASE}&useCase=controller&cloud=moon`, "cloud"],
      [`${CONTROLLER}&packs=not-a-ref`, "packs"],
      [`${CONTROLLER}&fips=maybe`, "fips"],
      [`product=Palette!&version=4.6.12`, "product"],
    ]) {
      const { res, body } = await getPage(`/bundle/layers/os?${query}`);
      expect(res.status, query).toBe(400);
      expect(body, query).toContain(`<strong>${field}</strong>`);
    }
    const layer = await getPage(`/bundle/layers/gpu?${CONTROLLER}`);
    expect(layer.res.status).toBe(400);
    expect(layer.body).toContain("<strong>layer</strong>");
    const pick = await getPage(`/bundle/next?from=os&${CONTROLLER}&pick=%3Cscript%3E`);
    expect(pick.res.status).toBe(400);
    expect(pick.body).toContain("<strong>pick</strong>");
  });

  it("still renders a bundle naming a pack the catalog never had, saying it is not published", async () => {
    const { res, body } = await getPage(`/bundle/review?${CONTROLLER}&packs=ubuntu-aws@99.0`);
    expect(res.status).toBe(200);
    expect(body).toContain("ubuntu-aws 99.0 is no longer published (yanked or removed)");
    expect(attributes(body, /<a\b[^>]*>/g, "href")).toContain(`/bundle/review?${CONTROLLER}`);
  });
});

describe("a permalink naming a pack version yanked since it was shared", () => {
  const kept = "ubuntu-aws@22.04,cni-calico@3.29.2";
  const shared = `${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.29.2`;
  const notice = "kubernetes 1.32.3 is no longer published (yanked or removed)";

  beforeAll(async () => {
    const res = await exports.default.fetch(`${ORIGIN}/api/v1/admin/packs/kubernetes/versions/1.32.3/yank`, {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token-0123456789abcdef", "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "CVE in the test" }),
    });
    expect(res.status, await res.text()).toBe(200);
  });

  afterAll(async () => {
    await seedCatalog();
  });

  it("confirms the rest of the bundle with a notice, a link without the yanked pack, and no way to download it yet", async () => {
    const { res, body } = await getPage(`/bundle/confirm?${shared}`);
    expect(res.status).toBe(200);
    expect(body).toContain(notice);
    expect(attributes(body, /<a\b[^>]*>/g, "href")).toContain(`/bundle/confirm?${CONTROLLER}&packs=${kept}`);
    for (const file of ["ubuntu-aws-22.04.zst", "cni-calico-3.29.2.zst"]) expect(body).toContain(file);
    expect(body).not.toContain("kubernetes-1.32.3.zst");
    expect(body).toMatch(/value="download" data-download-action="true" disabled>Download Bundle<\/button>/);
    expect(body).toContain("First continue without the packs that are no longer published.");
    const without = await htmlPage(`/bundle/confirm?${CONTROLLER}&packs=${kept}`);
    expect(without).not.toContain("no longer published");
    expect(without).toMatch(/value="download" data-download-action="true">Download Bundle<\/button>/);
  });

  it("shows the same on the Review page", async () => {
    const { res, body } = await getPage(`/bundle/review?${shared}`);
    expect(res.status).toBe(200);
    expect(body).toContain(notice);
    expect(body).toContain("Calico</strong> 3.29.2");
    expect(attributes(body, /<a\b[^>]*>/g, "href")).toContain(`/bundle/review?${CONTROLLER}&packs=${kept}`);
  });

  it("renders a layer step with the notice, and its form drops the yanked pack", async () => {
    const { res, body } = await getPage(`/bundle/layers/k8s?${shared}`);
    expect(res.status).toBe(200);
    expect(body).toContain(notice);
    expect(attributes(body, /<a\b[^>]*>/g, "href")).toContain(`/bundle/layers/k8s?${CONTROLLER}&packs=${kept}`);
    expect(offeredPicks(body)).not.toContain("kubernetes@1.32.3");
    const shown = hiddenInputs(formAround(body, 'name="shown"')).shown;
    expect(shown.split(",")).toContain("kubernetes@1.32.3");
    const next = await redirectOf(`/bundle/next?from=k8s&${shared}&shown=${shown}&pick=kubernetes@1.31.2&go=next`);
    expect(next).toBe(`/bundle/layers/cni?${CONTROLLER}&packs=ubuntu-aws@22.04,cni-calico@3.29.2,kubernetes@1.31.2`);
  });
});
