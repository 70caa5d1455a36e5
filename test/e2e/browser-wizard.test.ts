// The bundle wizard in a real browser against `wrangler dev` on the demo catalog: Controller/AWS,
// Agent mode and Add-on only end to end, changing a layer from Review, the permalink (reload,
// back/forward, a pasted link) and keyboard-only completion. Screenshots of each step go to
// screenshots/.
import type { Browser, Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { pathOf, screenshot, tabTo, test } from "./support/browser";

const studioUrl = inject("studioUrl");
async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  return page;
}

/** Clicks a submit button and waits for the navigation it causes (a redirect through /bundle/next). */
async function submit(page: Page, name: string | RegExp) {
  const before = page.url();
  await Promise.all([
    page.waitForURL((u) => u.toString() !== before && !u.pathname.startsWith("/bundle/next")),
    page.getByRole("button", { name, exact: typeof name === "string" }).click(),
  ]);
  await page.waitForLoadState("load");
}

/** Picks the first offered pack on a one-pack layer page and returns its name@version. */
async function pickFirst(page: Page): Promise<string> {
  const radio = page.locator('input[name="pick"]:not([value=""])').first();
  await radio.check();
  return (await radio.getAttribute("value"))!;
}

async function startBundle(page: Page, product: string, useCase: RegExp) {
  await page.goto(`${studioUrl}/`);
  await Promise.all([page.waitForURL(/\/bundle\/product/), page.getByRole("link", { name: "Build bundle" }).click()]);
  await page.getByLabel(product).check();
  await screenshot(page, "wizard-1-product");
  await submit(page, "Next Step");
  expect(pathOf(page)).toMatch(/^\/bundle\/version\?product=/);
  await screenshot(page, "wizard-2-version");
  await submit(page, "Next Step");
  await page.getByLabel(useCase).check();
  await screenshot(page, "wizard-3-use-case");
  await submit(page, "Next Step");
}

describe("the bundle wizard", () => {
  test("builds a Controller/AWS bundle layer by layer and downloads it from Confirm", async ({ browser }) => {
    const page = await newPage(browser);
    await startBundle(page, "Palette Enterprise Appliance", /^Controller mode/);
    expect(pathOf(page)).toMatch(/^\/bundle\/cloud\?/);
    await page.getByLabel("AWS").check();
    await screenshot(page, "wizard-4-cloud");
    await submit(page, "Next Step");

    const chosen: string[] = [];
    for (const [layer, heading] of [
      ["os", "Choose an operating system"],
      ["k8s", "Choose your Kubernetes distribution and version"],
      ["cni", "Choose your networking pack"],
      ["csi", "Choose your storage pack"],
    ] as const) {
      expect(pathOf(page)).toMatch(new RegExp(`^/bundle/layers/${layer}\\?`));
      expect(await page.locator("h1").innerText()).toBe(heading);
      // Hidden versions are listed with why on a page of their own, which leads back to the step.
      const hiddenLink = page.locator("p.hidden-packs a");
      if (await hiddenLink.count()) {
        await hiddenLink.click();
        await page.waitForLoadState("load");
        expect(pathOf(page)).toMatch(new RegExp(`^/bundle/layers/${layer}/hidden\\?`));
        expect(await page.locator("ul.hidden-packs .reasons").first().innerText()).toMatch(/not|requires/);
        await page.getByRole("link", { name: "Back to the step" }).click();
        await page.waitForLoadState("load");
        expect(pathOf(page)).toMatch(new RegExp(`^/bundle/layers/${layer}\\?`));
      }
      chosen.push(await pickFirst(page));
      await screenshot(page, `wizard-5-layer-${layer}`);
      await submit(page, "Next Layer");
    }
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/addon\?/);
    const addons = page.locator('input[name="pick"][type="checkbox"]');
    for (const i of [0, 1]) {
      await addons.nth(i).check();
      chosen.push((await addons.nth(i).getAttribute("value"))!);
    }
    await screenshot(page, "wizard-5-layer-addon");
    await submit(page, "Add to Bundle");

    expect(pathOf(page)).toBe(
      `/bundle/review?${new URL(page.url()).searchParams.toString().replace(/%40/g, "@").replace(/%2C/g, ",")}`,
    );
    expect(new URL(page.url()).searchParams.get("packs")!.split(",")).toEqual(chosen);
    expect(await page.locator("tbody tr").count()).toBe(6);
    await screenshot(page, "wizard-6-review");
    await Promise.all([page.waitForURL(/\/bundle\/confirm/), page.getByRole("link", { name: "Next Step" }).click()]);
    expect(pathOf(page)).toMatch(/^\/bundle\/confirm\?/);
    const confirmText = await page.locator("main").innerText();
    for (const ref of chosen) expect(confirmText).toContain(`${ref.replace("@", "-")}.zst`);
    expect(await page.getByRole("link", { name: "Explore additional add-ons" }).isVisible()).toBe(true);
    await screenshot(page, "wizard-7-confirm");
    // No page in between: Confirm's own Download Bundle gives the files.
    const names: string[] = [];
    page.on("download", (d) => names.push(d.suggestedFilename()));
    await page.getByRole("button", { name: "Download Bundle", exact: true }).click();
    await expect.poll(() => names.length, { timeout: 15_000 }).toBe(chosen.length * 2);
    expect(names).toEqual(
      chosen.flatMap((ref) => [`${ref.replace("@", "-")}.zst`, `${ref.replace("@", "-")}.sig.bin`]),
    );
    expect(pathOf(page)).toMatch(/^\/bundle\/confirm\?/);
    await screenshot(page, "wizard-8-download");
    await page.close();
  });

  test("changes a layer from the Review page", async ({ browser }) => {
    const page = await newPage(browser);
    await page.goto(`${studioUrl}/bundle/cloud?product=palette-enterprise&version=4.7.3&useCase=controller`);
    await page.getByLabel("AWS").check();
    await submit(page, "Next Step");
    const firstOs = await pickFirst(page);
    await submit(page, "Next Layer");
    await pickFirst(page);
    await submit(page, "Next Layer");
    await Promise.all([
      page.waitForURL(/\/bundle\/review/),
      page.getByRole("link", { name: "Review", exact: true }).click(),
    ]);
    expect(await page.locator("main").innerText()).toContain(firstOs.split("@")[1]);

    await Promise.all([
      page.waitForURL(/\/bundle\/layers\/os/),
      page.getByRole("link", { name: /^Change OS pack/ }).click(),
    ]);
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/os\?/);
    expect(await page.locator(`input[name="pick"][value="${firstOs}"]`).isChecked()).toBe(true);
    const other = page.locator(`input[name="pick"]:not([value=""]):not([value="${firstOs}"])`).first();
    const otherOs = (await other.getAttribute("value"))!;
    await other.check();
    await submit(page, "Next Layer");
    await Promise.all([
      page.waitForURL(/\/bundle\/review/),
      page.getByRole("link", { name: "Review", exact: true }).click(),
    ]);
    const packs = new URL(page.url()).searchParams.get("packs")!.split(",");
    expect(packs).toContain(otherOs);
    expect(packs).not.toContain(firstOs);
    await screenshot(page, "wizard-review-changed");

    // Remove the Kubernetes pack from the review.
    const k8s = packs.find((p) => p !== otherOs)!;
    const before = page.url();
    await Promise.all([
      page.waitForURL((u) => u.toString() !== before),
      page.getByRole("link", { name: new RegExp(`^Remove .* ${k8s.split("@")[1].replace(/\./g, "\\.")}$`) }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get("packs")).toBe(otherOs);
    await page.close();
  });

  test("agent mode assumes Edge Native, skips the cloud step and says binaries cannot be downloaded", async ({
    browser,
  }) => {
    const page = await newPage(browser);
    await startBundle(page, "Palette Enterprise Appliance", /^Agent mode or Appliance mode/);
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/os\?.*useCase=agent/);
    const main = await page.locator("main").innerText();
    expect(main).toContain("Edge Native");
    expect(main).toContain("Agent mode binaries cannot be downloaded at this time.");
    expect(await page.getByRole("navigation", { name: "Bundle steps" }).innerText()).not.toContain("Cloud type");
    await screenshot(page, "wizard-agent-os");
    const chosen = [await pickFirst(page)];
    await submit(page, "Next Layer");
    chosen.push(await pickFirst(page));
    await submit(page, "Next Layer");
    await submit(page, "Next Layer"); // no network pack
    await submit(page, "Next Layer"); // no storage pack
    await submit(page, "Add to Bundle");
    expect(pathOf(page)).toMatch(/^\/bundle\/review\?/);
    await Promise.all([page.waitForURL(/\/bundle\/confirm/), page.getByRole("link", { name: "Next Step" }).click()]);
    expect(await page.locator("main").innerText()).toContain("Agent mode binaries cannot be downloaded at this time.");
    expect(new URL(page.url()).searchParams.get("packs")!.split(",")).toEqual(chosen);
    await screenshot(page, "wizard-agent-confirm");
    await page.close();
  });

  test("add-on only goes straight to a pack search, then to Confirm", async ({ browser }) => {
    const page = await newPage(browser);
    await startBundle(page, "Palette VerteX Appliance", /^Add-on only/);
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/addon\?.*useCase=addon/);
    expect(await page.locator("h1").innerText()).toBe("Configure bundle");
    await page.getByLabel("Search packs").fill("cert");
    await page.getByLabel("Search packs").press("Enter");
    await page.waitForURL(/q=cert/);
    const first = page.locator('input[name="pick"]').first();
    const ref = (await first.getAttribute("value"))!;
    expect(ref).toMatch(/cert/);
    await first.check();
    await screenshot(page, "wizard-addon-search");
    await submit(page, "Next Step");
    expect(pathOf(page)).toMatch(/^\/bundle\/confirm\?/);
    expect(new URL(page.url()).searchParams.get("packs")).toBe(ref);
    await Promise.all([
      page.waitForURL(/\/bundle\/layers\/addon/),
      page.getByRole("link", { name: "Explore additional add-ons" }).click(),
    ]);
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/addon\?/);
    expect(await page.locator(`input[name="pick"][value="${ref}"]`).isChecked()).toBe(true);
    await page.close();
  });

  test("restores a bundle exactly from its permalink, on reload, back/forward and in a fresh browser", async ({
    browser,
  }) => {
    const page = await newPage(browser);
    await page.goto(
      `${studioUrl}/bundle/layers/os?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws`,
    );
    const os = await pickFirst(page);
    await submit(page, "Next Layer");
    const k8s = await pickFirst(page);
    await submit(page, "Next Layer");
    await Promise.all([
      page.waitForURL(/\/bundle\/confirm/),
      page.getByRole("link", { name: "Confirm", exact: true }).click(),
    ]);
    const permalink = await page.locator("#permalink").inputValue();
    expect(permalink).toBe(page.url().replace(/%40/g, "@").replace(/%2C/g, ","));
    const confirmText = await page.locator("main").innerText();

    await page.reload();
    expect(await page.locator("main").innerText()).toBe(confirmText);
    await page.goBack();
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/cni\?/);
    await page.goBack();
    expect(await page.locator(`input[name="pick"][value="${k8s}"]`).isChecked()).toBe(true);
    await page.goForward();
    await page.goForward();
    expect(await page.locator("main").innerText()).toBe(confirmText);

    const fresh = await browser.newContext();
    const pasted = await fresh.newPage();
    await pasted.goto(permalink);
    expect(await pasted.locator("main").innerText()).toBe(confirmText);
    expect(new URL(pasted.url()).searchParams.get("packs")).toBe(`${os},${k8s}`);
    await fresh.close();
    await page.close();
  });

  test("can be completed with the keyboard alone", async ({ browser }) => {
    const page = await newPage(browser);
    await page.goto(`${studioUrl}/`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to main content");
    await tabTo(page, 'a[href="/bundle/product"]');
    await Promise.all([page.waitForURL(/\/bundle\/product/), page.keyboard.press("Enter")]);
    await page.waitForLoadState("load");

    const choose = async (selector: string) => {
      await tabTo(page, selector);
      await page.keyboard.press("Space");
    };
    const press = async (selector: string) => {
      await tabTo(page, selector);
      const before = page.url();
      await Promise.all([
        page.waitForURL((u) => u.toString() !== before && !u.pathname.startsWith("/bundle/next")),
        page.keyboard.press("Enter"),
      ]);
      await page.waitForLoadState("load");
    };
    await choose('input[name="product"]');
    await press('button[value="next"]');
    await press('button[value="next"]'); // the newest version is preselected
    await choose('input[name="useCase"]'); // the first: Controller mode
    await press('button[value="next"]');
    await choose('input[name="cloud"]'); // the first: AWS
    await press('button[value="next"]');
    expect(pathOf(page)).toMatch(/^\/bundle\/layers\/os\?.*cloud=aws/);
    for (let layer = 0; layer < 4; layer++) {
      // Focus enters the radio group on the checked "No pack" option; an arrow key moves to the first pack.
      await tabTo(page, 'input[name="pick"][type="radio"]');
      await page.keyboard.press("ArrowDown");
      await press('button[value="next"]');
    }
    await choose('input[name="pick"][type="checkbox"]');
    await press('button[value="next"]');
    expect(pathOf(page)).toMatch(/^\/bundle\/review\?/);
    await tabTo(page, 'a.button[href^="/bundle/confirm"]');
    await Promise.all([page.waitForURL(/\/bundle\/confirm/), page.keyboard.press("Enter")]);
    const packs = new URL(page.url()).searchParams.get("packs")!.split(",");
    expect(packs).toHaveLength(5);
    // Focus is visible: the focused control draws an outline.
    await tabTo(page, "button, a");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe("solid");
    await screenshot(page, "wizard-keyboard-confirm");
    await page.close();
  });
});
