// Browser helpers for the e2e page tests: the one browser fixture (`test`, whose tests and
// test.beforeAll hooks take `{ browser }`: Debian's chromium driven by playwright-core, launched once
// per file and closed after it), screenshots under the git-ignored screenshots/ folder, and a
// per-page record of what the browser received (HTML, CSS and JS bytes, gzip-compressed with
// node:zlib, as a CDN would send them).
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type Page } from "playwright-core";
import { test as base } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = resolve(import.meta.dirname, "../../../screenshots");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Vitest's test with the shared browser: one chromium per test file, closed when the file is done. */
export const test = base.extend<{ browser: Browser }>({
  browser: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this destructuring
    async ({}, use) => {
      const browser = await launchBrowser();
      await use(browser);
      await browser.close();
    },
    { scope: "file" },
  ],
});

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

export type Transfer = { html: number; css: number; js: number; jsFiles: string[] };

/**
 * Loads `url` and measures the gzip size of every HTML, CSS and JS response the page fetched.
 * Sizes are of the bodies compressed here with gzip -9 defaults, so they do not depend on whether
 * the local server compresses.
 */
export async function measureTransfer(page: Page, url: string): Promise<Transfer> {
  const bodies: Promise<{ type: string; url: string; size: number }>[] = [];
  const onResponse = (response: import("playwright-core").Response) => {
    const type = response.request().resourceType();
    if (!["document", "stylesheet", "script"].includes(type) || (response.status() >= 300 && response.status() < 400))
      return;
    bodies.push(response.body().then((body) => ({ type, url: response.url(), size: gzipSync(body).length })));
  };
  page.on("response", onResponse);
  await page.goto(url, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  const all = await Promise.all(bodies);
  const sum = (type: string) => all.filter((b) => b.type === type).reduce((n, b) => n + b.size, 0);
  return {
    html: sum("document"),
    css: sum("stylesheet"),
    js: sum("script"),
    jsFiles: all.filter((b) => b.type === "script").map((b) => b.url),
  };
}

/** Server time to first byte for the page's document, from the Navigation Timing entry. */
export async function serverTiming(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
    return nav.responseStart - nav.requestStart;
  });
}

/** Presses Tab until the focused element matches `selector` (at most `limit` presses): keyboard-only navigation. */
export async function tabTo(page: Page, selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`keyboard focus never reached ${selector}`);
}

/** The path and query of the page's URL, as the address bar holds it. */
export const pathOf = (page: Page) => {
  const url = new URL(page.url());
  return decodeURIComponent(url.pathname + url.search);
};
