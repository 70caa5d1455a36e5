// The pages a user reaches, found by walking the running studio as a user would (the wizard through
// Controller on AWS with the first pack of each layer, Browse with two add-ons ticked), so every URL
// is one the catalog really serves. Shared by the page audit (Lighthouse, axe) and the screenshots.
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

export const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 780 } } as const;

/** A page: its URL, and a download button to press once it is loaded (its output appears in place). */
export type TourStop = { name: string; url: string; press?: string };

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** Clicks a submit control and waits until the URL changes (wizard forms redirect through /bundle/next). */
async function advance(page: Page, click: () => Promise<unknown>) {
  const before = page.url();
  await Promise.all([
    page.waitForURL((u) => u.toString() !== before && !u.pathname.startsWith("/bundle/next")),
    click(),
  ]);
  await page.waitForLoadState("load");
}

async function wizardStops(page: Page, base: string): Promise<TourStop[]> {
  const stops: TourStop[] = [];
  const here = (name: string) => stops.push({ name, url: page.url() });
  await page.goto(`${base}/`);
  await advance(page, () => page.getByRole("link", { name: "Build bundle" }).click());
  here("bundle-product");
  await page.getByLabel("Palette Enterprise Appliance").check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  here("bundle-version");
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  here("bundle-use-case");
  await page.getByLabel(/^Controller mode/).check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  here("bundle-cloud");
  await page.getByLabel("AWS").check();
  await advance(page, () => page.getByRole("button", { name: "Next Step" }).click());
  for (const layer of ["os", "k8s", "cni", "csi"]) {
    here(`bundle-${layer}`);
    await page.locator('input[name="pick"]:not([value=""])').first().check();
    await advance(page, () => page.getByRole("button", { name: "Next Layer" }).click());
  }
  here("bundle-addon");
  const addons = page.locator('input[name="pick"][type="checkbox"]');
  for (const i of [0, 1]) await addons.nth(i).check();
  await advance(page, () => page.getByRole("button", { name: "Add to Bundle" }).click());
  here("bundle-review");
  await advance(page, () => page.getByRole("link", { name: "Next Step" }).click());
  here("bundle-confirm");
  stops.push({ name: "bundle-confirm-result", url: page.url(), press: "Download Bundle" });
  return stops;
}

/** Every page of the list (and the download outputs), in the order a user meets them. */
export async function tourStops(browser: Browser, base: string): Promise<TourStop[]> {
  const page = await browser.newPage({ viewport: WIDTHS.desktop });
  page.setDefaultTimeout(20_000);
  try {
    const wizard = await wizardStops(page, base);
    await page.goto(`${base}/packs?layer=addon`);
    const firstPack = await page.locator("h3[id^=pack-]").first().getAttribute("id");
    const products = (await (await fetch(`${base}/api/v1/products`)).json()) as {
      items: { id: string; versions: { version: string }[] }[];
    };
    const product = products.items.find((p) => p.versions.length > 0);
    const install = `${base}/install/${product?.id}?version=${product?.versions[0].version}`;
    return [
      { name: "home", url: `${base}/` },
      { name: "install", url: install },
      { name: "install-result", url: install, press: "Download Bundle" },
      ...wizard,
      { name: "packs", url: `${base}/packs` },
      { name: "packs-addon", url: `${base}/packs?layer=addon` },
      { name: "pack", url: `${base}/packs/${firstPack?.slice("pack-".length)}` },
      { name: "verify", url: `${base}/verify` },
      { name: "upgrade", url: `${base}/upgrade` },
      { name: "images", url: `${base}/images?q=calico%2Fnode` },
    ];
  } finally {
    await page.close();
  }
}

/** Loads a stop (and presses its button, waiting for the grant's output). */
export async function visit(page: Page, stop: TourStop): Promise<void> {
  await page.goto(stop.url, { waitUntil: "load" });
  if (stop.press) {
    await page.getByRole("button", { name: stop.press, exact: true }).click();
    await page.locator("[data-grant]").waitFor();
  }
}
