// Every page a user reaches, checked with axe-core in a real browser (chromium) against the WCAG
// 2.0/2.1 A and AA rules, at desktop width and at a 360 px phone width. The wizard and the browse
// pages are reached by clicking through them, so every URL is one the demo catalog really serves.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { screenshot, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 780 } } as const;

/** How to reach a page: a URL to load, or a URL to load and then a download button to press (its output appears in place). */
type Visit = { url: string; press?: string; status?: number };

const PAGES = [
  "home",
  "install",
  "verify",
  "bundle-product",
  "bundle-version",
  "bundle-use-case",
  "bundle-cloud",
  "bundle-os",
  "bundle-k8s",
  "bundle-cni",
  "bundle-csi",
  "bundle-hidden",
  "bundle-addon",
  "bundle-review",
  "bundle-confirm",
  "packs-filtered-selected",
  "pack-detail",
  "confirm-download-result",
  "packs-urls-result",
  "install-download-result",
  "upgrade",
  "upgrade-plan",
  "images",
  "not-found",
] as const;
type PageName = (typeof PAGES)[number];

let axeSource: string;
const visits = {} as Record<PageName, Visit>;

/** Clicks a submit control and waits until the URL changes (wizard forms redirect through /bundle/next). */
async function advance(page: Page, click: () => Promise<unknown>) {
  const before = page.url();
  await Promise.all([
    page.waitForURL((u) => u.toString() !== before && !u.pathname.startsWith("/bundle/next")),
    click(),
  ]);
  await page.waitForLoadState("load");
}

/** Walks the wizard as a user would (Controller on AWS, the first pack of each layer, two add-ons), recording each step's URL. */
async function discoverWizard(page: Page) {
  await page.goto(`${studioUrl}/`);
  await advance(page, () => page.getByRole("link", { name: "Build bundle" }).click());
  visits["bundle-product"] = { url: page.url() };
  await page.getByLabel("Palette Enterprise Appliance").check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  visits["bundle-version"] = { url: page.url() };
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  visits["bundle-use-case"] = { url: page.url() };
  await page.getByLabel(/^Controller mode/).check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  visits["bundle-cloud"] = { url: page.url() };
  await page.getByLabel("AWS").check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  for (const layer of ["os", "k8s", "cni", "csi"] as const) {
    expect(new URL(page.url()).pathname).toBe(`/bundle/layers/${layer}`);
    visits[`bundle-${layer}`] = { url: page.url() };
    // The first step that hides versions links to the page that says why.
    const hidden = await page
      .locator("p.hidden-packs a")
      .first()
      .getAttribute("href", { timeout: 1_000 })
      .catch(() => null);
    if (hidden && !visits["bundle-hidden"]) visits["bundle-hidden"] = { url: new URL(hidden, page.url()).toString() };
    await page.locator('input[name="pick"]:not([value=""])').first().check();
    await advance(page, () => page.getByRole("button", { name: "Next Layer" }).click());
  }
  expect(new URL(page.url()).pathname).toBe("/bundle/layers/addon");
  expect(visits["bundle-hidden"], "a layer step that links to its hidden versions").toBeDefined();
  visits["bundle-addon"] = { url: page.url() };
  const addons = page.locator('input[name="pick"][type="checkbox"]');
  for (const i of [0, 1]) await addons.nth(i).check();
  await advance(page, () => page.getByRole("button", { name: "Add to Bundle" }).click());
  visits["bundle-review"] = { url: page.url() };
  await advance(page, () => page.getByRole("link", { name: "Next Step" }).click());
  visits["bundle-confirm"] = { url: page.url() };
  visits["confirm-download-result"] = { url: page.url(), press: "Download Bundle" };
}

/** Browses add-ons and selects two; the selection bar's Copy all URLs shows its output on the page. */
async function discoverBrowse(page: Page) {
  await page.goto(`${studioUrl}/packs?layer=addon`);
  const picks = page.locator('input[name="pick"]');
  for (const i of [0, 1]) await picks.nth(i).check();
  // The selection island writes the ticks into the address bar.
  await page.waitForURL((u) => u.searchParams.get("selected")?.split(",").length === 2);
  visits["packs-filtered-selected"] = { url: page.url() };
  const firstPack = await page.locator("h3[id^=pack-]").first().getAttribute("id");
  visits["pack-detail"] = { url: `${studioUrl}/packs/${firstPack!.slice("pack-".length)}` };
  visits["packs-urls-result"] = { url: page.url(), press: "Copy all URLs" };
}

test.beforeAll(async ({ browser }) => {
  axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const products = (await (await fetch(`${studioUrl}/api/v1/products`)).json()) as {
    items: { id: string; versions: { version: string }[] }[];
  };
  const product = products.items.find((p) => p.versions.length > 0)!;
  visits.home = { url: `${studioUrl}/` };
  visits.install = { url: `${studioUrl}/install/${product.id}?version=${product.versions[0].version}` };
  visits["install-download-result"] = { url: visits.install.url, press: "Download Bundle" };
  visits.verify = { url: `${studioUrl}/verify` };
  visits.images = { url: `${studioUrl}/images?q=registry.k8s.io%2Fpause` };
  visits["not-found"] = { url: `${studioUrl}/no/such/page`, status: 404 };
  visits.upgrade = { url: `${studioUrl}/upgrade` };
  visits["upgrade-plan"] = {
    url: `${studioUrl}/upgrade?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4,elastic-fluentd-kibana@8.5.1&target=4.7.3`,
  };
  const page = await browser.newPage({ viewport: WIDTHS.desktop });
  page.setDefaultTimeout(15_000);
  await discoverWizard(page);
  await discoverBrowse(page);
  await page.close();
});

/** One line per failing node, so the failure message says what to fix and where. */
function describeViolations(results: AxeResults): string {
  return results.violations
    .map((v) =>
      [
        `${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`,
        ...v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\n\s*/g, " ")}`),
      ].join("\n"),
    )
    .join("\n");
}

async function open(page: Page, visit: Visit) {
  const response = await page.goto(visit.url);
  expect(response?.status()).toBe(visit.status ?? 200);
  if (visit.press) {
    await page.getByRole("button", { name: visit.press, exact: true }).click();
    await page.locator("[data-grant]").waitFor();
  }
  await page.waitForLoadState("load");
}

for (const [widthName, viewport] of Object.entries(WIDTHS)) {
  describe(`WCAG 2.1 A/AA at ${widthName} width (${viewport.width} px)`, () => {
    test.for(PAGES)("%s has no axe violations", async (name, { browser }) => {
      const page = await browser.newPage({ viewport });
      page.setDefaultTimeout(15_000);
      try {
        await open(page, visits[name]);
        // Disclosures are content a user opens: check it too.
        await page.evaluate(() =>
          document.querySelectorAll("details").forEach((d) => {
            d.open = true;
          }),
        );
        // The pages' CSP (script-src 'self') refuses an inline <script>: page.addScriptTag({ content })
        // throws "Executing inline script violates ... script-src 'self'". page.evaluate goes through
        // the DevTools protocol, which CSP does not govern, so the pages are checked under their
        // real headers (no bypassCSP).
        await page.evaluate(axeSource);
        const results = await page.evaluate(
          (tags) =>
            (window as unknown as { axe: typeof import("axe-core") }).axe.run(document, {
              runOnly: { type: "tag", values: tags },
            }),
          WCAG_TAGS,
        );
        if (results.violations.length) await screenshot(page, `a11y-${widthName}-${name}`);
        expect(
          results.violations,
          `${name} at ${viewport.width} px (${page.url()}):\n${describeViolations(results)}`,
        ).toEqual([]);
        // axe ran real checks, not an empty rule set.
        expect(results.passes.length).toBeGreaterThan(5);
      } finally {
        await page.close();
      }
    });
  });
}
