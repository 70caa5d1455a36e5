// Every page's words as a reader sees them: no character reference shown as text (`&lt;bytes&gt;`
// on the page instead of `<bytes>`), no words run together where a line of the template ended at an
// element ("release.jsonwith", "orhere)"), no label that says a thing twice ("Additional packs
// packs"). Each page of the docs' flows is rendered, the download outputs (POST) included.
import { beforeAll, describe, expect, it } from "vitest";
import { seedCatalog } from "./support/catalog-fixture";
import { getPage } from "./pages-support";
import { parseHtml } from "./support/dom";

const BASE = "product=palette-enterprise&version=4.6.12";
const CONTROLLER = `${BASE}&useCase=controller&cloud=aws`;
const PACKS = "packs=ubuntu-aws@22.04,kubernetes@1.32.3,cni-calico@3.29.2";

const PAGES: { path: string; form?: string }[] = [
  { path: "/" },
  { path: "/install/palette-enterprise" },
  { path: "/install/palette-enterprise?version=4.6.12" },
  { path: "/install/palette-enterprise?version=4.6.12", form: "action=download" },
  { path: "/bundle/product" },
  { path: `/bundle/version?${BASE.split("&")[0]}` },
  { path: `/bundle/use-case?${BASE}` },
  { path: `/bundle/cloud?${BASE}&useCase=controller` },
  ...["os", "k8s", "cni", "csi", "addon"].map((layer) => ({ path: `/bundle/layers/${layer}?${CONTROLLER}&${PACKS}` })),
  { path: `/bundle/layers/addon?${BASE}&useCase=addon` },
  { path: `/bundle/review?${CONTROLLER}&${PACKS}` },
  { path: `/bundle/confirm?${CONTROLLER}&${PACKS}` },
  { path: `/bundle/confirm?${CONTROLLER}&${PACKS}`, form: "action=download" },
  { path: "/packs" },
  { path: "/packs?layer=addon&cloud=aws" },
  { path: "/packs?selected=cni-calico@3.29.2", form: "selected=cni-calico%403.29.2&action=urls" },
  { path: "/packs/kubernetes" },
  { path: "/packs/cni-calico?version=3.29.2" },
  { path: "/verify" },
  { path: "/upgrade" },
  { path: `/upgrade?${CONTROLLER}&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4&target=4.7.3` },
  { path: "/images?q=calico%2Fnode" },
  { path: "/no/such/page" },
];

/** Element boundaries with a word on both sides and no space: how a template line break loses a space. */
const RUN_TOGETHER = [/<\/(code|a|strong|em|kbd)>[A-Za-z(]/, /[A-Za-z,.;:)]<(a|code|strong|em|kbd)[\s>]/];
/** Seen on these pages before, written out so they never come back. */
const KNOWN = ["release.jsonwith", "orhere)", "packs packs", "Packs packs", "pack pack"];

const visibleText = (html: string) => {
  const doc = parseHtml(html);
  // A <textarea> is raw text in linkedom (its references stay undecoded): not what a reader sees there.
  for (const area of Array.from(doc.querySelectorAll("textarea, script, style"))) area.remove();
  return doc.querySelector("body")?.textContent ?? "";
};

beforeAll(async () => {
  await seedCatalog();
});

describe("every page's text", () => {
  it.each(PAGES)("$path ($form) reads right", async ({ path, form }) => {
    const init: RequestInit = form
      ? { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form }
      : {};
    const { res, body } = await getPage(path, init);
    expect(res.headers.get("Content-Type"), path).toContain("text/html");
    expect(body, `${path}: a page, not an error`).toContain("</main>");
    if (form) expect(body, `${path}: the download output`).toContain("data-grant");
    const text = visibleText(body);
    for (const entity of ["&lt;", "&gt;", "&amp;", "&quot;", "&#"])
      expect(text.includes(entity), `${path} shows "${entity}" as text`).toBe(false);
    const main = body.slice(body.indexOf("<main"), body.indexOf("</main>"));
    for (const pattern of RUN_TOGETHER) {
      const hit = pattern.exec(main);
      expect(hit && main.slice(Math.max(0, hit.index - 60), hit.index + 40), `${path}: words run together`).toBeNull();
    }
    for (const known of KNOWN) expect(text.includes(known), `${path} reads "${known}"`).toBe(false);
  });
});
