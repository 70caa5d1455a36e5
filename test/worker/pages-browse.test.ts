// Browse packs as HTML: every filter and the search narrow the list, facet counts agree with the
// JSON API, pages follow the cursor both ways, and a selection made across pages and filters lives
// in the URL (`selected=`) so it survives navigation without JavaScript.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { PackSearchResult } from "../../worker/catalog/packs";
import { FIXTURE_PACKS, manyAddons, seedCatalog } from "./support/catalog-fixture";
import { attributes, formAround, getPage, hiddenInputs, htmlPage, redirectOf } from "./pages-support";

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, ...manyAddons(30)]);
});

/** The pack names a browse page lists, in order. */
const listedPacks = (body: string) => [...body.matchAll(/<h3 id="pack-([a-z0-9-]+)">/g)].map((m) => m[1]);
const api = async (query: string) =>
  (await (await exports.default.fetch(`http://studio.test/api/v1/packs?${query}`)).json()) as PackSearchResult;

describe("filters and search", () => {
  it("is one GET form with every filter named and labelled", async () => {
    const body = await htmlPage("/packs");
    const form = formAround(body, 'name="q"');
    expect(form).toContain('method="get" action="/packs"');
    for (const name of ["product", "version", "cloud", "layer", "arch", "fips"])
      expect(form).toMatch(new RegExp(`<select id="${name}" name="${name}"`));
    expect(form).toMatch(/<input id="q" type="search" name="q"/);
    expect(attributes(form, /<select id="fips"[\s\S]*?<\/select>/g, "id")).toEqual(["fips"]);
    expect(form).toContain(">AMD64 (");
    expect(form).toContain(">non-FIPS (");
    // Version needs a product first.
    expect(form).toMatch(/<select id="version" name="version" disabled/);
  });

  it("shows facet counts that agree with the JSON API", async () => {
    const body = await htmlPage("/packs?layer=cni");
    const facets = (await api("layer=cni")).facets;
    expect(body).toContain(`>AWS (${facets.cloud.aws})</option>`);
    expect(body).toContain(`>Network (${facets.layer.cni})</option>`);
    expect(body).toContain(`>ARM64 (${facets.arch.arm64})</option>`);
    expect(body).toContain(`>FIPS (${facets.fips.true})</option>`);
  });

  it("narrows by product and version, cloud, layer, architecture, FIPS and words", async () => {
    const cases: [string, (names: string[]) => void][] = [
      ["layer=cni", (n) => expect(n).toEqual(["cni-calico", "cni-cilium", "cni-flannel"])],
      ["layer=os&cloud=vsphere", (n) => expect(n).toEqual(["rhel"])],
      ["layer=os&arch=arm64", (n) => expect(n).toEqual(["ubuntu-aws", "ubuntu-edge"])],
      ["layer=cni&fips=true", (n) => expect(n).toEqual(["cni-calico"])],
      ["product=palette-vertex&layer=cni", (n) => expect(n).toEqual(["cni-calico", "cni-cilium"])],
      [
        "product=palette-enterprise&version=4.5.23&layer=os",
        (n) => expect(n).toEqual(["rhel", "ubuntu-aws", "ubuntu-edge"]),
      ],
      ["q=calico", (n) => expect(n).toEqual(["cni-calico"])],
      ["q=hello", (n) => expect(n).toEqual(["hello-universe"])],
    ];
    for (const [query, check] of cases) {
      const body = await htmlPage(`/packs?${query}`);
      const names = listedPacks(body);
      check(names);
      expect(names).toEqual((await api(query)).items.map((i) => i.name));
    }
    const vertex = await htmlPage("/packs?product=palette-vertex");
    expect(vertex).toMatch(/<option value="palette-vertex" selected>/);
    expect(attributes(formAround(vertex, 'name="version"'), /<select id="version"[^>]*>/g, "name")).toEqual([
      "version",
    ]);
    expect(vertex).not.toMatch(/<select id="version" name="version" disabled/);
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
      expect(body, query).toContain(`<strong>${field}</strong>`);
    }
  });
});

describe("pages and selection", () => {
  it("walks forward and back through the pages by cursor", async () => {
    const first = await htmlPage("/packs?layer=addon");
    const firstNames = listedPacks(first);
    expect(firstNames).toHaveLength(24);
    const form = formAround(first, 'value="next"');
    const hidden = hiddenInputs(form);
    expect(hidden.next).toBeTruthy();
    const second = await redirectOf(`/packs?layer=addon&next=${hidden.next}&go=next`);
    expect(second).toBe(`/packs?layer=addon&cursor=${hidden.next}`);
    const secondBody = await htmlPage(second);
    const secondNames = listedPacks(secondBody);
    expect(secondNames.length).toBeGreaterThan(0);
    expect(secondNames.some((n) => firstNames.includes(n))).toBe(false);
    expect(secondBody).toContain("page 2");
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
    const page = await htmlPage(both);
    expect(page).toMatch(/value="cni-calico@3\.29\.2" checked/);
    expect(page).not.toMatch(/value="cni-calico@3\.26\.0" checked/);
    expect(hiddenInputs(formAround(page, 'name="q"')).selected).toBe("kubernetes@1.32.3,cni-calico@3.29.2");
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
    const body = await htmlPage("/packs?selected=kubernetes@1.32.3");
    expect(body).toMatch(
      /<button type="submit" name="action" value="download"[^>]*formmethod="post" formaction="\/packs">Download Bundle<\/button>/,
    );
    expect(body).toContain("kubernetes@1.32.3");
    // A page rendered before, still sending "Download selected", lands on the bar with the selection.
    expect(await redirectOf("/packs?selected=kubernetes@1.32.3&shown=nginx@1.11.2&pick=nginx@1.11.2&go=download")).toBe(
      "/packs?selected=kubernetes@1.32.3,nginx@1.11.2#download",
    );
  });
});
