// Browse packs in a real browser against `wrangler dev` on the demo catalog: every filter and the
// search (drop-downs submit themselves through the island), results that match the JSON API, and
// a selection made across pages and filters that lives in the URL, with and without JavaScript.
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { screenshot, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const listed = (page: Page) =>
  page.locator("h3[id^=pack-]").evaluateAll((hs) => hs.map((h) => h.id.slice("pack-".length)));
const selectedParam = (page: Page) => new URL(page.url()).searchParams.get("selected")?.split(",") ?? [];

async function apiNames(page: Page): Promise<string[]> {
  const query = new URL(page.url()).searchParams;
  for (const key of ["selected", "trail"]) query.delete(key);
  const res = await fetch(`${studioUrl}/api/v1/packs?${query}`);
  return ((await res.json()) as { items: { name: string }[] }).items.map((i) => i.name);
}

/** Runs `action` and waits until the URL changes (the form submitted and was redirected). */
async function navigates(page: Page, action: () => Promise<unknown>) {
  const before = page.url();
  await Promise.all([page.waitForURL((u) => u.toString() !== before), action()]);
  await page.waitForLoadState("load");
}

describe("browse packs", () => {
  test("narrows with every filter and the search, matching the JSON API", async ({ browser }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${studioUrl}/packs`);
    const all = await listed(page);
    expect(all.length).toBeGreaterThan(10);
    for (const [id, value] of [
      ["#product", "palette-enterprise"],
      ["#version", "4.7.3"],
      ["#cloud", "aws"],
      ["#layer", "cni"],
      ["#arch", "amd64"],
      ["#fips", "false"],
    ] as const) {
      await navigates(page, () => page.selectOption(id, value));
      expect(new URL(page.url()).searchParams.get(id.slice(1))).toBe(value);
      expect(await page.locator(id).inputValue()).toBe(value);
      const names = await listed(page);
      expect(names).toEqual(await apiNames(page));
      expect(names.length).toBeGreaterThan(0);
    }
    await screenshot(page, "browse-filtered");
    await navigates(page, () => page.getByRole("link", { name: "Clear filters" }).click());
    await page.getByLabel("Search packs").fill("calico");
    await navigates(page, () => page.getByLabel("Search packs").press("Enter"));
    expect(new URL(page.url()).searchParams.get("q")).toBe("calico");
    expect(await listed(page)).toEqual(["cni-calico"]);
    expect(await page.locator("#layer").innerText()).toMatch(/Network \(1\)/);
    await screenshot(page, "browse-search");
    await page.close();
  });

  async function selectAcrossPages(context: BrowserContext, js: boolean) {
    const page = await context.newPage();
    await page.goto(`${studioUrl}/packs?layer=addon`);
    const first = page.locator('input[name="pick"]').first();
    const a = (await first.getAttribute("value"))!;
    await first.check();
    if (js) {
      // The island writes the selection into the address bar at once.
      expect(selectedParam(page)).toEqual([a]);
    } else {
      await navigates(page, () => page.getByRole("button", { name: "Update selection" }).click());
      expect(selectedParam(page)).toEqual([a]);
    }
    await navigates(page, () => page.getByRole("button", { name: "Next page" }).click());
    expect(new URL(page.url()).searchParams.get("cursor")).toBeTruthy();
    const second = page.locator('input[name="pick"]').first();
    const b = (await second.getAttribute("value"))!;
    expect(b).not.toBe(a);
    await second.check();
    // Going back a page carries the new tick too.
    await navigates(page, () => page.getByRole("button", { name: "Previous page" }).click());
    expect(selectedParam(page)).toEqual([a, b]);
    expect(await page.locator(`input[name="pick"][value="${a}"]`).isChecked()).toBe(true);
    // A different filter keeps the selection.
    await navigates(page, () =>
      js
        ? page.selectOption("#layer", "k8s")
        : page.selectOption("#layer", "k8s").then(() => page.getByRole("button", { name: "Apply filters" }).click()),
    );
    expect(new URL(page.url()).searchParams.get("layer")).toBe("k8s");
    expect(selectedParam(page)).toEqual([a, b]);
    expect(await page.locator("[data-selection-count]").innerText()).toBe("2");
    await screenshot(page, `browse-selection-${js ? "js" : "nojs"}`);
    // The selection bar downloads both, on this page (files and signatures, in the order chosen).
    const urls = async () => (await page.locator("#download-urls").inputValue()).trim().split("\n");
    if (js) await page.getByRole("button", { name: "Copy all URLs", exact: true }).click();
    else await navigates(page, () => page.getByRole("button", { name: "Copy all URLs", exact: true }).click());
    await expect.poll(() => page.locator("#download-urls").count()).toBe(1);
    const files = [a, b].flatMap((ref) => [`${ref.replace("@", "-")}.zst`, `${ref.replace("@", "-")}.sig.bin`]);
    expect((await urls()).map((u) => new URL(u).pathname.split("/").pop())).toEqual(files);
    expect(new URL(page.url()).pathname).toBe("/packs");
    await page.close();
  }

  test("keeps a selection across pages and filters with JavaScript", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await selectAcrossPages(context, true);
    await context.close();
  });

  test("keeps a selection across pages and filters without JavaScript", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    await selectAcrossPages(context, false);
    await context.close();
  });

  test("opens a pack's detail page from the list", async ({ browser }) => {
    const page = await browser.newPage();
    await page.goto(`${studioUrl}/packs?q=calico`);
    await navigates(page, () => page.getByRole("link", { name: "Calico", exact: true }).click());
    expect(new URL(page.url()).pathname).toBe("/packs/cni-calico");
    expect(await page.locator("main").innerText()).toMatch(/cni-calico-[\d.]+\.zst/);
    await screenshot(page, "pack-detail");
    await page.close();
  });
});
