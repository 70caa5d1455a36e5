// Browse packs as HTML: every filter and the search narrow the list, facet counts agree with the
// JSON API, pages follow the cursor both ways, and a selection made across pages and filters lives
// in the URL (`selected=`) so it survives navigation without JavaScript.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { PackSearchResult } from "../../worker/catalog/pack-search";
import { FIXTURE_PACKS, manyAddons, seedCatalog } from "./support/catalog-fixture";
import { getPage, htmlDocument, redirectOf } from "./pages-support";
import { hiddenFields, parseHtml, texts } from "./support/dom";

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, ...manyAddons(30)]);
});

/** The pack names a browse page lists, in order. */
const listedPacks = (doc: Document) =>
  Array.from(doc.querySelectorAll('h3[id^="pack-"]'), (h) => h.id.slice("pack-".length));
/** The form that holds the element matching `selector`. */
const formOf = (doc: Document, selector: string) => {
  const form = doc.querySelector(selector)?.closest("form");
  expect(form, `a form around ${selector}`).toBeTruthy();
  return form!;
};
const api = async (query: string) =>
  (await (await exports.default.fetch(`http://studio.test/api/v1/packs?${query}`)).json()) as PackSearchResult;

describe("filters and search", () => {
  it("is one GET form with every filter named and labelled", async () => {
    const form = formOf(await htmlDocument("/packs"), 'input[name="q"]');
    expect(form.getAttribute("method")).toBe("get");
    expect(form.getAttribute("action")).toBe("/packs");
    for (const name of ["product", "version", "cloud", "layer", "arch", "fips"])
      expect(form.querySelector(`select[name="${name}"]`)?.id).toBe(name);
    const q = form.querySelector('input[name="q"]');
    expect(q?.id).toBe("q");
    expect(q?.getAttribute("type")).toBe("search");
    expect(form.querySelectorAll("select#fips").length).toBe(1);
    expect(texts(form, "select#arch option").some((t) => t.startsWith("AMD64 ("))).toBe(true);
    expect(texts(form, "select#fips option").some((t) => t.startsWith("non-FIPS ("))).toBe(true);
    // Version needs a product first.
    expect(form.querySelector("select#version")?.hasAttribute("disabled")).toBe(true);
  });

  it("shows facet counts that agree with the JSON API", async () => {
    const doc = await htmlDocument("/packs?layer=cni");
    const facets = (await api("layer=cni")).facets;
    expect(texts(doc, "select#cloud option")).toContain(`AWS (${facets.cloud.aws})`);
    expect(texts(doc, "select#layer option")).toContain(`Network (${facets.layer.cni})`);
    expect(texts(doc, "select#arch option")).toContain(`ARM64 (${facets.arch.arm64})`);
    expect(texts(doc, "select#fips option")).toContain(`FIPS (${facets.fips.true})`);
  });

  it("narrows by product and version, cloud, layer, architecture, FIPS and words", async () => {
    const cases: [string, (names: string[]) => void][] = [
      ["layer=cni", (n) => expect(n).toEqual(["cni-calico", "cni-cilium", "cni-flannel"])],
      ["layer=os&cloud=vsphere", (n) => expect(n).toEqual(["rhel"])],
      // In display order: "Ubuntu (Edge)" before "Ubuntu on AWS".
      ["layer=os&arch=arm64", (n) => expect(n).toEqual(["ubuntu-edge", "ubuntu-aws"])],
      ["layer=cni&fips=true", (n) => expect(n).toEqual(["cni-calico"])],
      ["product=palette-vertex&layer=cni", (n) => expect(n).toEqual(["cni-calico", "cni-cilium"])],
      [
        "product=palette-enterprise&version=4.5.23&layer=os",
        (n) => expect(n).toEqual(["rhel", "ubuntu-edge", "ubuntu-aws"]),
      ],
      ["q=calico", (n) => expect(n).toEqual(["cni-calico"])],
      ["q=hello", (n) => expect(n).toEqual(["hello-universe"])],
    ];
    for (const [query, check] of cases) {
      const names = listedPacks(await htmlDocument(`/packs?${query}`));
      check(names);
      expect(names).toEqual((await api(query)).items.map((i) => i.name));
    }
    const vertex = await htmlDocument("/packs?product=palette-vertex");
    expect(
      Array.from(vertex.querySelectorAll("select#product option[selected]"), (o) => o.getAttribute("value")),
    ).toEqual(["palette-vertex"]);
    const version = formOf(vertex, 'select[name="version"]').querySelectorAll("select#version");
    expect(Array.from(version, (s) => s.getAttribute("name"))).toEqual(["version"]);
    expect(version[0].hasAttribute("disabled")).toBe(false);
  });

  it("answers a bad filter with a 400 page naming the field", async () => {
    for (const [query, field] of [
      ["fips=maybe", "fips"],
      ["cloud=moon", "cloud"],
      ["version=4.6.12", "version"],
      ["cursor=nonsense!", "cursor"],
      ["selected=not-a-ref", "selected"],
    ]) {
      const { res, body } = await getPage(`/packs?${query}`);
      expect(res.status, query).toBe(400);
      expect(texts(parseHtml(body), "main li strong"), query).toContain(field);
    }
  });
});

describe("pages and selection", () => {
  it("walks forward and back through the pages by cursor", async () => {
    const first = await htmlDocument("/packs?layer=addon");
    const firstNames = listedPacks(first);
    expect(firstNames).toHaveLength(24);
    const hidden = hiddenFields(formOf(first, 'button[value="next"]'));
    expect(hidden.next).toBeTruthy();
    const second = await redirectOf(`/packs?layer=addon&next=${hidden.next}&go=next`);
    expect(second).toBe(`/packs?layer=addon&cursor=${hidden.next}`);
    const secondDoc = await htmlDocument(second);
    const secondNames = listedPacks(secondDoc);
    expect(secondNames.length).toBeGreaterThan(0);
    expect(secondNames.some((n) => firstNames.includes(n))).toBe(false);
    expect(secondDoc.querySelector("main")?.textContent).toContain("page 2");
    // From page 2 the previous button returns to the first page.
    expect(await redirectOf(`/packs?layer=addon&cursor=${hidden.next}&go=prev`)).toBe("/packs?layer=addon");
  });

  it("keeps a selection across pages and filters, removing only what a page shows unticked", async () => {
    // Tick kubernetes@1.32.3 on the k8s filter.
    const picked = await redirectOf(
      "/packs?layer=k8s&shown=kubernetes@1.32.3,kubernetes@1.31.2&pick=kubernetes@1.32.3&go=select",
    );
    expect(picked).toBe("/packs?layer=k8s&selected=kubernetes@1.32.3");
    // Change filter to cni and tick calico there: the k8s pick stays.
    const both = await redirectOf(
      "/packs?layer=cni&selected=kubernetes@1.32.3&shown=cni-calico@3.29.2,cni-calico@3.26.0&pick=cni-calico@3.29.2",
    );
    expect(both).toBe("/packs?layer=cni&selected=kubernetes@1.32.3,cni-calico@3.29.2");
    const page = await htmlDocument(both);
    expect(page.querySelector('input[value="cni-calico@3.29.2"]')?.hasAttribute("checked")).toBe(true);
    expect(page.querySelector('input[value="cni-calico@3.26.0"]')?.hasAttribute("checked")).toBe(false);
    expect(hiddenFields(formOf(page, 'input[name="q"]')).selected).toBe("kubernetes@1.32.3,cni-calico@3.29.2");
    // Unticking calico on a page that shows it drops it.
    expect(
      await redirectOf(
        "/packs?layer=cni&selected=kubernetes@1.32.3,cni-calico@3.29.2&shown=cni-calico@3.29.2,cni-calico@3.26.0&go=select",
      ),
    ).toBe("/packs?layer=cni&selected=kubernetes@1.32.3");
    // Moving to the next page carries the ticks made on this one.
    const next = await redirectOf(
      "/packs?layer=addon&next=abc&shown=nginx@1.11.2&pick=nginx@1.11.2&selected=kubernetes@1.32.3&go=next",
    );
    expect(next).toBe("/packs?layer=addon&cursor=abc&selected=kubernetes@1.32.3,nginx@1.11.2");
  });

  it("downloads the selection from its own selection bar", async () => {
    const doc = await htmlDocument("/packs?selected=kubernetes@1.32.3");
    const download = doc.querySelector('button[name="action"][value="download"]');
    expect(download?.getAttribute("type")).toBe("submit");
    expect(download?.getAttribute("formmethod")).toBe("post");
    expect(download?.getAttribute("formaction")).toBe("/packs");
    expect(download?.textContent).toBe("Download Bundle");
    expect(doc.querySelector("main")?.textContent).toContain("kubernetes@1.32.3");
    // A page rendered before, still sending "Download selected", lands on the bar with the selection.
    expect(await redirectOf("/packs?selected=kubernetes@1.32.3&shown=nginx@1.11.2&pick=nginx@1.11.2&go=download")).toBe(
      "/packs?selected=kubernetes@1.32.3,nginx@1.11.2#download",
    );
  });
});
