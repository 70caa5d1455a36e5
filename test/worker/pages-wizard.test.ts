// The bundle wizard as HTML: each step's URL carries the state, forms work without JavaScript
// (GET to /bundle/next, which redirects to the next step's canonical URL), only compatible packs
// are offered with the hidden ones and their reasons in a <details>, and a bundle can be exported
// as a spec and imported again.
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCatalog } from "./support/catalog-fixture";
import { getPage, htmlDocument, htmlPage, ORIGIN, redirectOf } from "./pages-support";
import { attrs, hiddenFields, parseHtml, textOf, texts } from "./support/dom";

const BASE = "product=palette-enterprise&version=4.6.12";
const CONTROLLER = `${BASE}&useCase=controller&cloud=aws`;

beforeAll(async () => {
  await seedCatalog();
});

/** The values of the pick inputs a layer page offers. */
const offeredPicks = (doc: Document) => attrs(doc, 'input[name="pick"]', "value").filter(Boolean);
/** The page a layer step links to for its hidden versions and why, read from the step's link. */
async function hiddenPage(step: Document): Promise<Document> {
  const href = step.querySelector("p.hidden-packs a")?.getAttribute("href");
  expect(href, "the step's link to its hidden versions").toMatch(/^\/bundle\/layers\/[a-z0-9]+\/hidden\?/);
  return htmlDocument(href!);
}
/** The text of the list of a step's hidden versions and why, on the page the step links to. */
const hiddenSection = async (step: Document) => textOf(await hiddenPage(step), "ul.hidden-packs") ?? "";
/** The form that holds the element matching `selector`. */
const formOf = (doc: Document, selector: string) => {
  const form = doc.querySelector(selector)?.closest("form");
  expect(form, `a form around ${selector}`).toBeTruthy();
  return form!;
};
/** The Download Bundle button of a page's download form. */
const downloadButton = (doc: Document) => {
  const button = doc.querySelector('button[name="action"][value="download"]');
  expect(button?.textContent).toBe("Download Bundle");
  expect(button?.getAttribute("data-download-action")).toBe("true");
  return button;
};
/** The fields an error page names, in its list of what is wrong. */
const namedFields = (body: string) => texts(parseHtml(body), "main li strong");
/** Every link's href on the page. */
const hrefs = (doc: Document) => attrs(doc, "a", "href");
/** The reason a hidden pack's entry gives, by the pack's link text. */
const hiddenReason = (hidden: Document, pack: string, version: string) =>
  Array.from(hidden.querySelectorAll("ul.hidden-packs li"))
    .find((li) => li.querySelector("a")?.textContent === pack && li.textContent?.includes(` ${version}`))
    ?.querySelector("span.reasons")?.textContent;

describe("the first steps", () => {
  it("asks for the product with a no-JS form and offers spec import", async () => {
    const body = await htmlPage("/bundle/product");
    const doc = parseHtml(body);
    const form = formOf(doc, 'input[name="product"]');
    expect(form.getAttribute("method")).toBe("get");
    expect(form.getAttribute("action")).toBe("/bundle/next");
    expect(hiddenFields(form).from).toBe("product");
    expect(attrs(form, 'input[name="product"]', "value")).toEqual(["palette-enterprise", "palette-vertex"]);
    expect(body).toContain("Palette Enterprise Appliance");
    expect(body).toContain("Palette VerteX Appliance");
    const upload = formOf(doc, 'input[name="spec"]');
    expect(upload.getAttribute("method")).toBe("post");
    expect(upload.getAttribute("action")).toBe("/bundle/import");
    expect(upload.getAttribute("enctype")).toBe("multipart/form-data");
    const file = upload.querySelector('input[name="spec"]');
    expect(file?.id).toBe("spec-file");
    expect(file?.getAttribute("type")).toBe("file");
    // The left menu lists the steps; the current one is marked, the ones not yet reachable are not links.
    const menu = doc.querySelector('nav[aria-label="Bundle steps"]')!;
    expect(textOf(menu, 'a[href="/bundle/product"][aria-current="step"]')).toBe("Select Product");
    expect(texts(menu, 'span[aria-disabled="true"]')).toContain("Current Version");
  });

  it("walks product → version → use case, keeping the state in the URL", async () => {
    expect(await redirectOf("/bundle/next?from=product&product=palette-enterprise&go=next")).toBe(
      "/bundle/version?product=palette-enterprise",
    );
    const version = await htmlDocument("/bundle/version?product=palette-enterprise");
    expect(attrs(version, "option", "value")).toEqual(["4.7.3", "4.6.12", "4.5.23"]);
    expect(hiddenFields(formOf(version, '[name="version"]'))).toEqual({
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
    expect(attrs(parseHtml(cloud), 'input[name="cloud"]', "value")).toEqual([
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
    const doc = parseHtml(body);
    expect(offeredPicks(doc)).toEqual(
      ["ubuntu-aws@24.04", "ubuntu-aws@22.04", "rhel@8.10"].sort((a, b) => body.indexOf(a) - body.indexOf(b)),
    );
    expect(textOf(doc, "p.hidden-packs")).toBe("1 version cannot go into this bundle. See which, and why");
    const hidden = await hiddenSection(doc);
    expect(hidden).toContain("Ubuntu (Edge) 22.04");
    expect(hidden).toContain("not available for controller mode");
    expect(hidden).toContain("not published for aws");
    const form = formOf(doc, 'input[name="pick"]');
    expect(form.getAttribute("method")).toBe("get");
    expect(form.getAttribute("action")).toBe("/bundle/next");
    const fields = hiddenFields(form);
    expect(fields).toMatchObject({
      from: "os",
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
    });
    expect(fields.shown.split(",").sort()).toEqual(["rhel@8.10", "ubuntu-aws@22.04", "ubuntu-aws@24.04"]);
    const next = form.querySelector('button[name="go"][value="next"]');
    expect(next?.getAttribute("type")).toBe("submit");
    expect(next?.textContent).toBe("Next Layer");
    const current = doc.querySelector('a[aria-current="step"]');
    expect(current?.getAttribute("href")).toMatch(/^\/bundle\/layers\/os\?/);
    expect(current?.textContent).toBe("OS");
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
    const k8s = await htmlDocument(toK8s);
    expect(offeredPicks(k8s)).toEqual([
      "kubernetes@1.32.3",
      "kubernetes@1.31.2",
      "kubernetes@1.30.4",
      "kubernetes@1.29.8",
    ]);
    expect(await hiddenSection(k8s)).toContain("Palette Optimized Edge Kubernetes 1.30.4");
  });

  it("hides network packs whose constraints the chosen Kubernetes breaks, saying which", async () => {
    const doc = await htmlDocument(`/bundle/layers/cni?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3`);
    expect(offeredPicks(doc)).toEqual(["cni-calico@3.29.2", "cni-flannel@0.24.0"]);
    const hidden = await hiddenPage(doc);
    expect(hiddenReason(hidden, "Calico", "3.26.0")).toMatch(/^ — requires kubernetes <= 1\.29\.99/);
    expect(hiddenReason(hidden, "Cilium", "1.16.1")).toMatch(/^ — requires kubernetes >= 1\.29 and <= 1\.31/);
  });

  it("offers only FIPS builds for VerteX and narrows by architecture, saying why the rest are hidden", async () => {
    const vertex = await htmlDocument(
      "/bundle/layers/k8s?product=palette-vertex&version=4.7.3&useCase=controller&cloud=aws",
    );
    expect(offeredPicks(vertex)).toEqual(["kubernetes@1.31.2", "kubernetes@1.30.4"]);
    expect(await hiddenSection(vertex)).toContain("not FIPS-compliant");
    expect(vertex.querySelector("main")?.textContent).toContain("FIPS only (product)");
    // The filter bar is part of the same form: applying it keeps the state and the step.
    expect(await redirectOf(`/bundle/next?from=os&${CONTROLLER}&arch=arm64&go=stay`)).toBe(
      `/bundle/layers/os?${CONTROLLER}&arch=arm64`,
    );
    const arm = await htmlDocument(`/bundle/layers/os?${CONTROLLER}&arch=arm64`);
    expect(offeredPicks(arm)).toEqual(["ubuntu-aws@24.04"]);
    expect(await hiddenSection(arm)).toContain("no arm64 build");
    expect(attrs(arm, "option[selected]", "value")).toContain("arm64");
  });

  it("keeps the chosen pack checked when revisiting a layer", async () => {
    const doc = await htmlDocument(`/bundle/layers/k8s?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.31.2`);
    const chosen = doc.querySelector('input[name="pick"][value="kubernetes@1.31.2"]');
    expect(chosen?.getAttribute("type")).toBe("radio");
    expect(chosen?.hasAttribute("checked")).toBe(true);
    expect(attrs(doc, 'input[name="pick"][checked]', "value")).toEqual(["kubernetes@1.31.2"]);
  });

  it("agent mode assumes edge native and shows the agent notice", async () => {
    const body = await htmlPage(`/bundle/layers/os?${BASE}&useCase=agent`);
    const doc = parseHtml(body);
    expect(offeredPicks(doc)).toEqual(["ubuntu-edge@22.04"]);
    expect(body).toContain("Edge Native");
    expect(body).toContain("Agent mode binaries cannot be downloaded at this time.");
    expect(attrs(doc, "[href]", "href").filter((href) => href.startsWith("/bundle/cloud"))).toEqual([]);
  });

  it("add-on only is a searchable pack list whose picks survive searching", async () => {
    const url = `/bundle/layers/addon?${BASE}&useCase=addon`;
    const doc = await htmlDocument(url);
    expect(textOf(doc, "h1")).toBe("Configure bundle");
    expect(offeredPicks(doc)).toEqual(
      expect.arrayContaining(["nginx@1.11.2", "prometheus-operator@65.1.0", "spectro-k8s-dashboard@7.11.1"]),
    );
    const next = formOf(doc, 'input[name="q"]').querySelector('button[name="go"][value="next"]');
    expect(next?.getAttribute("type")).toBe("submit");
    expect(next?.textContent).toBe("Next Step");
    // Pick nginx, then search for "monitoring": nginx stays chosen though it is no longer shown.
    const searched = await redirectOf(
      `/bundle/next?from=addon&${BASE}&useCase=addon&shown=nginx@1.11.2,nginx@1.10.0&pick=nginx@1.11.2&q=monitoring&go=stay`,
    );
    expect(searched).toBe(`/bundle/layers/addon?${BASE}&useCase=addon&packs=nginx@1.11.2&q=monitoring`);
    const results = await htmlDocument(searched);
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
    const doc = await htmlDocument(`/bundle/layers/addon?${BASE}&useCase=addon`);
    const offered = offeredPicks(doc);
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
    expect(texts(doc, 'span[class="badge accent"]')).toContain("Network");
    expect(attrs(doc, 'input[value="cni-calico@3.29.2"]', "type")).toEqual(["checkbox"]);
    // "storage" finds the CSIs by their layer.
    const storage = await htmlDocument(`/bundle/layers/addon?${BASE}&useCase=addon&q=storage`);
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
      const doc = await htmlDocument(`/bundle/${step}?${bundle}`);
      const text = doc.querySelector("main")?.textContent ?? "";
      expect(text).toContain("This bundle has no Storage pack.");
      expect(text).toContain(
        "a cluster profile needs one pack in each of the OS, Kubernetes, network and storage layers",
      );
      expect(attrs(doc, "li[data-layer]", "data-layer")).toEqual(["csi"]);
      expect(text).toContain("the storage driver (CSI) that gives workloads persistent volumes");
      expect(hrefs(doc)).toContain(`/bundle/layers/csi?${bundle}`);
    }
    const onlyOs = await htmlDocument(`/bundle/confirm?${CONTROLLER}&packs=ubuntu-aws@22.04`);
    expect(onlyOs.querySelector("main")?.textContent).toContain(
      "This bundle has no Kubernetes, Network or Storage pack.",
    );
    // Skipping is allowed: the download stays available.
    expect(downloadButton(onlyOs)?.hasAttribute("disabled")).toBe(false);
    const complete = await htmlPage(
      `/bundle/review?${bundle.replace("cni-calico@3.29.2", "cni-calico@3.29.2,csi-aws-ebs@1.41.0")}`,
    );
    expect(complete).not.toContain("data-missing-layers");
  });

  it("lets any layer be changed or removed", async () => {
    const doc = await htmlDocument(`/bundle/review?${bundle}`);
    const calico = Array.from(doc.querySelectorAll("td strong")).find((s) => s.textContent === "Calico");
    expect(calico?.parentElement?.textContent).toContain("Calico 3.29.2");
    const links = hrefs(doc);
    expect(links).toContain(`/bundle/review?${CONTROLLER}&packs=ubuntu-aws@22.04,cni-calico@3.29.2`);
    expect(links).toContain(`/bundle/layers/cni?${bundle}`);
    expect(doc.querySelector('a[aria-label="Choose a Storage pack"]')).not.toBeNull();
    expect(links).toContain(`/bundle/confirm?${bundle}`);
  });

  it("flags a chosen pack that no longer fits, with the reason", async () => {
    const doc = await htmlDocument(
      `/bundle/review?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.26.0`,
    );
    expect(texts(doc, "span.badge.warn")).toContain("Not compatible");
    expect(texts(doc, "span.reasons").some((r) => r.includes("requires kubernetes <= 1.29.99"))).toBe(true);
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
    const doc = parseHtml(body);
    const links = hrefs(doc);
    expect(links).toContain(`/bundle/spec.json?${bundle}`);
    expect(links).toContain(`/bundle/layers/addon?${bundle}`);
    expect(body).toContain("Explore additional add-ons");
    expect(doc.querySelector("input#permalink")?.getAttribute("value")).toBe(`${ORIGIN}/bundle/confirm?${bundle}`);
    // The download happens here: the form posts back to this same Confirm URL, which holds the bundle.
    const download = downloadButton(doc)?.closest("form");
    expect(download?.getAttribute("method")).toBe("post");
    expect(download?.getAttribute("action")).toBe(`/bundle/confirm?${bundle}`);
    expect(texts(download!, "button")).toContain("Copy all URLs");
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
    expect(namedFields(await bad.text())).toContain("useCase");
    const badPack = await importSpec(
      JSON.stringify({
        product: "palette-enterprise",
        version: "4.6.12",
        useCase: "addon",
        packs: [{ name: "Bad Name", version: "1" }],
      }),
    );
    expect(badPack.status).toBe(400);
    expect(namedFields(await badPack.text())).toContain("packs.0.name");
    const notJson = await importSpec("{ not json");
    expect(notJson.status).toBe(400);
    expect(namedFields(await notJson.text())).toContain("spec");
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
      expect(namedFields(body), query).toContain(field);
    }
    const layer = await getPage(`/bundle/layers/gpu?${CONTROLLER}`);
    expect(layer.res.status).toBe(400);
    expect(namedFields(layer.body)).toContain("layer");
    const pick = await getPage(`/bundle/next?from=os&${CONTROLLER}&pick=%3Cscript%3E`);
    expect(pick.res.status).toBe(400);
    expect(namedFields(pick.body)).toContain("pick");
  });

  it("still renders a bundle naming a pack the catalog never had, saying it is not published", async () => {
    const { res, body } = await getPage(`/bundle/review?${CONTROLLER}&packs=ubuntu-aws@99.0`);
    expect(res.status).toBe(200);
    expect(body).toContain("ubuntu-aws 99.0 is no longer published (removed from the catalog)");
    expect(hrefs(parseHtml(body))).toContain(`/bundle/review?${CONTROLLER}`);
  });
});

describe("a permalink naming a pack version yanked since it was shared", () => {
  const kept = "ubuntu-aws@22.04,cni-calico@3.29.2";
  const shared = `${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.29.2`;
  const notice = "kubernetes 1.32.3 was yanked on ";

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
    // The shared link says why, not only that: the yank's time and reason.
    expect(body).toMatch(/kubernetes 1\.32\.3 was yanked on \d{4}-\d\d-\d\d \d\d:\d\d UTC: CVE in the test/);
    expect(hrefs(parseHtml(body))).toContain(`/bundle/confirm?${CONTROLLER}&packs=${kept}`);
    for (const file of ["ubuntu-aws-22.04.zst", "cni-calico-3.29.2.zst"]) expect(body).toContain(file);
    expect(body).not.toContain("kubernetes-1.32.3.zst");
    expect(downloadButton(parseHtml(body))?.hasAttribute("disabled")).toBe(true);
    expect(body).toContain("First continue without the packs that are no longer published.");
    const without = await htmlPage(`/bundle/confirm?${CONTROLLER}&packs=${kept}`);
    expect(without).not.toContain("no longer published");
    expect(downloadButton(parseHtml(without))?.hasAttribute("disabled")).toBe(false);
  });

  it("shows the same on the Review page", async () => {
    const { res, body } = await getPage(`/bundle/review?${shared}`);
    expect(res.status).toBe(200);
    expect(body).toContain(notice);
    const calico = Array.from(parseHtml(body).querySelectorAll("td strong")).find((s) => s.textContent === "Calico");
    expect(calico?.parentElement?.textContent).toContain("Calico 3.29.2");
    expect(hrefs(parseHtml(body))).toContain(`/bundle/review?${CONTROLLER}&packs=${kept}`);
  });

  it("says when and why on the pack page (410 for the yanked version) and in the pack API's yanked list", async () => {
    const { res, body } = await getPage("/packs/kubernetes?version=1.32.3");
    expect(res.status).toBe(410);
    expect(body).toMatch(/1\.32\.3 was yanked on \d{4}-\d\d-\d\d \d\d:\d\d UTC: CVE in the test\./);
    expect(body).toContain('data-yanked-version="1.32.3"');
    const api = (await (await exports.default.fetch(`${ORIGIN}/api/v1/packs/kubernetes`)).json()) as {
      versions: { version: string }[];
      yanked: { version: string; yankedAt: string; reason: string }[];
    };
    expect(api.versions.map((v) => v.version)).not.toContain("1.32.3");
    expect(api.yanked).toContainEqual({
      version: "1.32.3",
      yankedAt: expect.stringMatching(/Z$/),
      reason: "CVE in the test",
    });
  });

  it("renders a layer step with the notice, and its form drops the yanked pack", async () => {
    const { res, body } = await getPage(`/bundle/layers/k8s?${shared}`);
    expect(res.status).toBe(200);
    expect(body).toContain(notice);
    expect(hrefs(parseHtml(body))).toContain(`/bundle/layers/k8s?${CONTROLLER}&packs=${kept}`);
    const doc = parseHtml(body);
    expect(offeredPicks(doc)).not.toContain("kubernetes@1.32.3");
    const shown = hiddenFields(formOf(doc, 'input[name="shown"]')).shown;
    expect(shown.split(",")).toContain("kubernetes@1.32.3");
    const next = await redirectOf(`/bundle/next?from=k8s&${shared}&shown=${shown}&pick=kubernetes@1.31.2&go=next`);
    expect(next).toBe(`/bundle/layers/cni?${CONTROLLER}&packs=ubuntu-aws@22.04,cni-calico@3.29.2,kubernetes@1.31.2`);
  });
});

describe("the layer steps' outline", () => {
  it.each(["os", "k8s", "cni", "csi", "addon"])(
    "never skips a heading level on the %s step (each pack's heading sits under the list's)",
    async (layer) => {
      const doc = await htmlDocument(`/bundle/layers/${layer}?${CONTROLLER}`);
      const levels = Array.from(doc.querySelectorAll("h1, h2, h3, h4, h5, h6"), (h) => Number(h.tagName[1]));
      expect(levels.filter((l) => l === 3).length).toBeGreaterThan(0);
      for (const [i, level] of levels.entries())
        expect(level, levels.join(" ")).toBeLessThanOrEqual((levels[i - 1] ?? 0) + 1);
    },
  );
});
