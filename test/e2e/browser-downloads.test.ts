// Downloads where the docs put them, in a real browser against the demo catalog, with JavaScript on
// and off: the Confirm step, the Browse packs selection bar and the installers table carry the
// captcha (off locally), Download Bundle and Copy all URLs, with no page in between. With scripts
// on, Download Bundle saves every file and signature as its own download under its documented
// name and Copy all URLs fills the clipboard and the URL box, all without leaving the page; with
// scripts off the form posts and the same page comes back with the links. The .tar stays a choice.
// Also: Add-on only takes a CNI and a CSI, and Review/Confirm warn about skipped core layers.
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { screenshot, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const BUNDLE = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws";
const PACKS = ["ubuntu-aws@22.04", "kubernetes@1.32.3", "cni-calico@3.29.2"];
const CONFIRM = `/bundle/confirm?${BUNDLE}&packs=${PACKS.join(",")}`;
const packFiles = (refs: string[]) =>
  refs.flatMap((ref) => [`${ref.replace("@", "-")}.zst`, `${ref.replace("@", "-")}.sig.bin`]);

async function context(browser: Browser, js: boolean): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled: js,
    acceptDownloads: true,
  });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: studioUrl });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

/** Records every download the page starts, by the name the browser gives it. */
function downloads(page: Page) {
  const started: Download[] = [];
  page.on("download", (d) => started.push(d));
  return {
    names: () => started.map((d) => d.suggestedFilename()),
    until: async (count: number) => {
      await expect.poll(() => started.length, { timeout: 15_000 }).toBe(count);
      // Each one really arrives (no failure), not only starts.
      for (const d of started) expect(await d.failure()).toBeNull();
      return started.map((d) => d.suggestedFilename());
    },
  };
}

/** The URL box's lines, and the file/signature links' URLs in page order. */
const urlBox = async (page: Page) => (await page.locator("#download-urls").inputValue()).trim().split("\n");
const fileLinks = (page: Page) =>
  page.locator("a[data-file]").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));

const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true });

/** JavaScript on: both buttons work in place; one grant serves both; nothing navigates. */
async function downloadInPlace(page: Page, path: string, files: string[], shot: string) {
  const before = page.url();
  let navigations = 0;
  page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations++);
  const seen = downloads(page);
  await button(page, "Download Bundle").click();
  expect((await seen.until(files.length)).sort()).toEqual([...files].sort());
  const grant = await page.locator("[data-grant]").getAttribute("data-grant");
  expect(grant).toMatch(/^[A-Za-z0-9_-]{22}$/);
  await expect
    .poll(() => page.locator("[data-download-status]").innerText())
    .toMatch(/^Done: \d+ files? and \d+ signatures? saved, each under its own name/);

  await button(page, "Copy all URLs").click();
  await expect.poll(() => page.locator("[data-download-status]").innerText()).toMatch(/^Copied \d+ URLs/);
  const clipboard = (await page.evaluate(() => navigator.clipboard.readText())).trim().split("\n");
  expect(clipboard).toEqual(await fileLinks(page));
  expect(clipboard).toEqual(await urlBox(page));
  expect(clipboard.map((u) => new URL(u).pathname.split("/").pop())).toEqual(files);
  expect(clipboard.every((u) => new URL(u).pathname.startsWith(`/dl/${grant}/`))).toBe(true);
  // The same grant: the captcha was solved (here: skipped) once.
  expect(await page.locator("[data-grant]").getAttribute("data-grant")).toBe(grant);
  expect(page.url()).toBe(before);
  expect(navigations).toBe(0);
  expect(new URL(page.url()).pathname).toBe(path);
  await screenshot(page, shot);
  return grant!;
}

/** JavaScript off: the form posts and the same page comes back with the links and the URL box. */
async function downloadByPost(page: Page, path: string, files: string[], shot: string) {
  await Promise.all([page.waitForNavigation(), button(page, "Download Bundle").click()]);
  expect(new URL(page.url()).pathname).toBe(path);
  expect(await page.locator("main").innerText()).toContain("Scripts are off");
  const links = page.locator("a[data-file]");
  expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute("download")))).toEqual(files);
  expect(await urlBox(page)).toEqual(await fileLinks(page));
  // A plain link saves the file under its documented name.
  const seen = downloads(page);
  await links.first().click();
  expect(await seen.until(1)).toEqual([files[0]]);
  await screenshot(page, shot);
}

describe("the Confirm step downloads the bundle itself", () => {
  test("with JavaScript: every file and signature as its own download, then Copy all URLs, on the same page", async ({
    browser,
  }) => {
    const ctx = await context(browser, true);
    const page = await ctx.newPage();
    await page.goto(studioUrl + CONFIRM);
    const main = await page.locator("main").innerText();
    expect(main).toContain("Captcha off (local development).");
    expect(main).toContain("Ensure that pop-ups and multiple downloads are allowed");
    await downloadInPlace(page, "/bundle/confirm", packFiles(PACKS), "downloads-confirm-js");
    // The way on: the guides the docs name.
    const guides = await page.locator(".next-steps a").allInnerTexts();
    expect(guides).toEqual(
      expect.arrayContaining(["Upload Packs to Palette", "Palette CLI content commands", "Artifact Signatures guide"]),
    );
    await ctx.close();
  });

  test("the .tar stays a second, clearly labelled choice", async ({ browser }) => {
    const ctx = await context(browser, true);
    const page = await ctx.newPage();
    await page.goto(studioUrl + CONFIRM);
    const seen = downloads(page);
    await button(page, "Download Bundle").click();
    await seen.until(6);
    const tar = page.getByRole("link", { name: /^Download as one \.tar \([\d.]+ KB\)$/ });
    await tar.click();
    const [, name] = await seen.until(7).then((names) => [names, names.at(-1)]);
    expect(name).toMatch(/^artifact-studio-[A-Za-z0-9_-]{22}\.tar$/);
    await ctx.close();
  });

  test("without JavaScript: the form posts back to Confirm, which lists every link and the URL box", async ({
    browser,
  }) => {
    const ctx = await context(browser, false);
    const page = await ctx.newPage();
    await page.goto(studioUrl + CONFIRM);
    await downloadByPost(page, "/bundle/confirm", packFiles(PACKS), "downloads-confirm-nojs");
    await ctx.close();
  });
});

describe("the download output on a phone", () => {
  test("fits a 360 px wide screen without sideways scrolling", async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, acceptDownloads: true });
    const page = await ctx.newPage();
    for (const path of [CONFIRM, "/install/palette-enterprise?version=4.7.3", "/packs?selected=cni-calico@3.29.2"]) {
      await page.goto(studioUrl + path);
      await button(page, "Copy all URLs").click();
      await page.locator("[data-grant]").waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await screenshot(page, `mobile-download-${new URL(studioUrl + path).pathname.split("/")[1]}`);
    }
    await ctx.close();
  });
});

describe("the Browse packs selection bar", () => {
  for (const js of [true, false]) {
    test(`downloads the selection without another page (JavaScript ${js ? "on" : "off"})`, async ({ browser }) => {
      const ctx = await context(browser, js);
      const page = await ctx.newPage();
      await page.goto(`${studioUrl}/packs?q=calico`);
      await page.getByLabel("Select Calico 3.29.2").check();
      if (js) await downloadInPlace(page, "/packs", packFiles(["cni-calico@3.29.2"]), "downloads-browse-js");
      else await downloadByPost(page, "/packs", packFiles(["cni-calico@3.29.2"]), "downloads-browse-nojs");
      // The selection is still there.
      expect(await page.locator("[data-selection-count]").innerText()).toBe("1");
      await ctx.close();
    });
  }
});

describe("the installers table", () => {
  const files = [
    "airgap-v4.7.3.tar.zst",
    "airgap-v4.7.3.tar.sig.bin",
    "palette-enterprise-appliance-v4.7.3.iso",
    "palette-enterprise-appliance-v4.7.3.iso.sig.bin",
    "palette-enterprise-4.7.3.tgz",
    "palette-enterprise-4.7.3.tgz.sig.bin",
  ];

  test("with JavaScript: a row's Download gives that file and its signature; Download Bundle and Copy all URLs the rest, from one grant", async ({
    browser,
  }) => {
    const ctx = await context(browser, true);
    const page = await ctx.newPage();
    await page.goto(`${studioUrl}/install/palette-enterprise?version=4.7.3`);
    const seen = downloads(page);
    await page.getByRole("button", { name: "Download palette-enterprise-appliance-v4.7.3.iso" }).click();
    expect(await seen.until(2)).toEqual(files.slice(2, 4));
    const grant = await page.locator("[data-grant]").getAttribute("data-grant");
    await page.getByRole("button", { name: "Download airgap-v4.7.3.tar.zst" }).click();
    expect((await seen.until(4)).slice(2)).toEqual(files.slice(0, 2));
    expect(await page.locator("[data-grant]").getAttribute("data-grant")).toBe(grant);
    await button(page, "Copy all URLs").click();
    await expect.poll(() => page.locator("[data-download-status]").innerText()).toMatch(/^Copied 6 URLs/);
    const clipboard = (await page.evaluate(() => navigator.clipboard.readText())).trim().split("\n");
    expect(clipboard.map((u) => new URL(u).pathname.split("/").pop())).toEqual(files);
    await screenshot(page, "downloads-install-js");
    await ctx.close();
  });

  test("without JavaScript: the table's form posts back to the install page with every link", async ({ browser }) => {
    const ctx = await context(browser, false);
    const page = await ctx.newPage();
    await page.goto(`${studioUrl}/install/palette-enterprise?version=4.7.3`);
    await downloadByPost(page, "/install/palette-enterprise", files, "downloads-install-nojs");
    expect(
      await page.getByRole("link", { name: "Palette Management Appliance Installation guide" }).count(),
    ).toBeGreaterThan(0);
    await ctx.close();
  });
});

describe("/download links shared before", () => {
  test("open the page whose form downloads the selection", async ({ browser }) => {
    const ctx = await context(browser, true);
    const page = await ctx.newPage();
    await page.goto(`${studioUrl}/download?packs=cni-calico@3.29.2`);
    expect(new URL(page.url()).pathname).toBe("/packs");
    expect(await page.locator("[data-selection-count]").innerText()).toBe("1");
    await page.goto(`${studioUrl}/download?${BUNDLE}&packs=${PACKS.join(",")}`);
    expect(new URL(page.url()).pathname).toBe("/bundle/confirm");
    await ctx.close();
  });
});

describe("add-on only and skipped layers", () => {
  test("add-on only searches every layer and takes a CNI and a CSI", async ({ browser }) => {
    const ctx = await context(browser, true);
    const page = await ctx.newPage();
    await page.goto(`${studioUrl}/bundle/layers/addon?product=palette-enterprise&version=4.7.3&useCase=addon`);
    await page.getByLabel("Search packs").fill("calico");
    await Promise.all([page.waitForURL(/q=calico/), page.getByLabel("Search packs").press("Enter")]);
    await page.getByLabel("Calico 3.29.2").check();
    await page.getByLabel("Search packs").fill("ebs");
    await Promise.all([page.waitForURL(/q=ebs/), page.getByLabel("Search packs").press("Enter")]);
    expect(await page.locator(".badge.accent").first().innerText()).toBe("Storage");
    await page.getByLabel("Amazon EBS CSI 1.41.0").check();
    await screenshot(page, "addon-only-csi");
    await Promise.all([page.waitForURL(/\/bundle\/confirm/), button(page, "Next Step").click()]);
    expect(new URL(page.url()).searchParams.get("packs")).toBe("cni-calico@3.29.2,csi-aws-ebs@1.41.0");
    expect(await page.locator("[data-missing-layers]").count()).toBe(0);
    const seen = downloads(page);
    await button(page, "Download Bundle").click();
    expect((await seen.until(4)).sort()).toEqual(packFiles(["cni-calico@3.29.2", "csi-aws-ebs@1.41.0"]).sort());
    await ctx.close();
  });

  test("Review and Confirm say which core layers are missing and why, and still allow the download", async ({
    browser,
  }) => {
    const ctx = await context(browser, false);
    const page = await ctx.newPage();
    for (const step of ["review", "confirm"]) {
      await page.goto(`${studioUrl}/bundle/${step}?${BUNDLE}&packs=ubuntu-aws@22.04,kubernetes@1.32.3`);
      const warning = page.locator(".notice.warn", { has: page.locator("[data-missing-layers]") });
      expect(await warning.innerText()).toContain("This bundle has no Network or Storage pack.");
      expect(
        await warning.locator("[data-layer]").evaluateAll((li) => li.map((l) => l.getAttribute("data-layer"))),
      ).toEqual(["cni", "csi"]);
      await screenshot(page, `missing-layers-${step}`);
    }
    expect(await button(page, "Download Bundle").isEnabled()).toBe(true);
    await ctx.close();
  });
});
