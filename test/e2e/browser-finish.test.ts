// The finish a user sees in a real browser: a captcha whose provider is blocked is replaced by what
// to do; Download Bundle shows progress and ends by saying what was saved (one by one, or into a
// folder where the browser has a folder picker); disabled buttons look disabled; a Copy button never
// covers its code; and at 360 px the first pack shows without scrolling past the filters.
import { render } from "preact-render-to-string";
import { html } from "htm/preact";
import type { Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { DownloadControls } from "../../web/components/download-controls";
import { screenshot, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const INSTALL = "/install/palette-enterprise?version=4.6.12";

/** Every text the download status line shows, in order (the island rewrites it as it goes). */
async function recordStatus(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { statuses: string[] }).statuses = seen;
    new MutationObserver(() => {
      const text = document.querySelector("[data-download-status]")?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
}

describe("a captcha that cannot load", () => {
  test("is replaced within seconds by what is blocked and the two ways on, and the buttons are disabled", async ({
    browser,
  }) => {
    // The real download controls with Turnstile, served on the studio's origin with its CSS and island.
    const controls = render(
      html`<${DownloadControls}
        captcha=${{ provider: "turnstile", siteKey: "1x00000000000000000000AA", scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js", action: "download" }}
        grantBody=${'{"packs":[{"name":"cni-calico","version":"3.29.2"}]}'}
      />`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The provider is unreachable, as behind a proxy that blocks it.
    await page.route("https://challenges.cloudflare.com/**", (route) => route.abort("blockedbyclient"));
    await page.route(`${studioUrl}/captcha-fixture`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fixture</title><link rel="stylesheet" href="/css/app.css"><script type="module" src="/js/download.js"></script></head><body><main><form method="post">${controls}</form></main></body></html>`,
      }),
    );
    await page.goto(`${studioUrl}/captcha-fixture`);
    const notice = page.locator("[data-captcha-blocked]");
    await notice.waitFor({ state: "visible", timeout: 15_000 });
    const text = await notice.innerText();
    expect(text).toContain("The captcha could not load");
    expect(text).toContain("challenges.cloudflare.com");
    expect(text).toContain("Allow https://challenges.cloudflare.com");
    expect(text).toContain("API token");
    const recipe = await page.locator("[data-captcha-recipe]").innerText();
    expect(recipe).toContain(`STUDIO=${studioUrl}`);
    expect(recipe).toContain(`-d '{"packs":[{"name":"cni-calico","version":"3.29.2"}]}'`);
    expect(recipe).toContain('-H "Authorization: Bearer $TOKEN"');
    const download = page.getByRole("button", { name: "Download Bundle", exact: true });
    expect(await download.isDisabled()).toBe(true);
    expect(await page.locator("[data-disabled-reason]").innerText()).toContain("The captcha could not load");
    // Disabled looks disabled: not the accent fill, a not-allowed pointer, and hovering changes nothing.
    const style = () =>
      download.evaluate((b) => {
        const s = getComputedStyle(b);
        return { cursor: s.cursor, background: s.backgroundColor, color: s.color };
      });
    const before = await style();
    expect(before.cursor).toBe("not-allowed");
    expect(before.background).not.toBe("rgb(0, 81, 195)"); // the accent fill of an enabled button
    await download.hover({ force: true });
    expect(await style()).toEqual(before);
    await screenshot(page, "finish-captcha-blocked", false);
    await page.close();
  });
});

describe("Download Bundle progress", () => {
  test("one by one: file n of N with bytes and the name, then what was saved", async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    const statuses = await recordStatus(page);
    let started = 0;
    page.on("download", () => started++);
    await page.goto(`${studioUrl}${INSTALL}`);
    await page.getByRole("button", { name: "Download Bundle", exact: true }).click();
    await expect
      .poll(() => page.locator("[data-download-status]").innerText(), { timeout: 30_000 })
      .toMatch(/^Done: 3 files and 3 signatures saved, each under its own name/);
    const seen = await statuses();
    const files = await page.locator("a[data-file]").evaluateAll((as) => as.map((a) => a.getAttribute("download")));
    expect(files).toHaveLength(6);
    files.forEach((name, i) => {
      expect(seen.some((s) => s.startsWith(`Saving file ${i + 1} of 6 (`) && s.endsWith(`): ${name}`))).toBe(true);
    });
    expect(seen.find((s) => s.startsWith("Saving file 6 of 6"))).toMatch(/\(([\d.]+\u00a0\w+) of \1\)/);
    expect(started).toBe(6);
    expect(await page.locator("progress[data-download-progress]").isVisible()).toBe(true);
    await ctx.close();
  });

  test("into a folder where the browser offers a picker: every file written, the same progress and end", async ({
    browser,
  }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The picker, answered with the origin's private file system (a real FileSystemDirectoryHandle).
    await page.addInitScript(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () =>
        navigator.storage.getDirectory();
    });
    await page.goto(`${studioUrl}${INSTALL}`);
    const folder = page.getByRole("button", { name: "Save into a folder…", exact: true });
    await folder.waitFor({ state: "visible" });
    await folder.click();
    await expect
      .poll(() => page.locator("[data-download-status]").innerText(), { timeout: 30_000 })
      .toBe("Done: 3 files and 3 signatures saved in the folder you chose.");
    const expected = await page
      .locator("a[data-file]")
      .evaluateAll((as) => as.map((a) => [a.getAttribute("download"), Number(a.getAttribute("data-size"))]));
    const written = await page.evaluate(async () => {
      const dir = await navigator.storage.getDirectory();
      const out: [string, number][] = [];
      for await (const [name, handle] of (
        dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }
      ).entries())
        out.push([name, (await handle.getFile()).size]);
      return out;
    });
    expect(written.sort()).toEqual(expected.sort());
    await page.close();
  });

  test("without the picker the folder button stays hidden (the one-by-one download is the way)", async ({
    browser,
  }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      delete (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker;
    });
    await page.goto(`${studioUrl}${INSTALL}`);
    await page.getByRole("button", { name: "Download Bundle", exact: true }).waitFor();
    expect(await page.locator("[data-folder-choice]").isVisible()).toBe(false);
    await page.close();
  });
});

describe("layout", () => {
  test("at 360 px the first pack is above the fold, the filters folded with the count applied; open at 1280", async ({
    browser,
  }) => {
    for (const js of [true, false]) {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, javaScriptEnabled: js });
      const page = await ctx.newPage();
      await page.goto(`${studioUrl}/packs?layer=addon&cloud=aws`);
      const first = await page.locator("h3[id^=pack-]").first().boundingBox();
      expect(first && first.y + first.height, `first pack at 360 px (JS ${js ? "on" : "off"})`).toBeLessThan(780);
      expect(await page.locator("details.filters-disclosure").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(
        false,
      );
      expect(await page.locator(".filters-disclosure summary").innerText()).toMatch(/^Filters \(2 applied\)/);
      expect(await page.locator("#product").isVisible()).toBe(false);
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      if (js) await screenshot(page, "finish-packs-360", false);
      await ctx.close();
    }
    const wide = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await wide.goto(`${studioUrl}/packs?layer=addon&cloud=aws`);
    expect(await wide.locator("#product").isVisible()).toBe(true);
    await wide.close();
  });

  test("a Copy button never sits over its code, and pages fit 360 px", async ({ browser }) => {
    for (const width of [1280, 360]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`${studioUrl}/verify`);
      const overlaps = await page.locator(".code-block").evaluateAll(
        (blocks) =>
          blocks.filter((block) => {
            const button = block.querySelector("button.copy")?.getBoundingClientRect();
            const code = block.querySelector("pre")?.getBoundingClientRect();
            if (!button || !code || button.width === 0) return false;
            return (
              button.bottom > code.top &&
              button.top < code.bottom &&
              button.right > code.left &&
              button.left < code.right
            );
          }).length,
      );
      expect(overlaps, `code blocks under their Copy button at ${width} px`).toBe(0);
      expect(await page.locator(".code-block button.copy").first().isVisible()).toBe(true);
      if (width === 360) {
        for (const path of ["/", "/verify", `${INSTALL}`, "/packs", "/upgrade", "/images?q=calico%2Fnode"]) {
          await page.goto(`${studioUrl}${path}`);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
        }
      }
      await page.close();
    }
  });
});
