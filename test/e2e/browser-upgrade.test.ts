// The upgrade page in a real browser against `wrangler dev` on the demo catalog, by keyboard: a
// Palette Enterprise 4.6.12 bundle link pasted in, 4.7.3 picked, the plan read (Calico upgraded,
// EFK removed at its end of life, the rest kept), then Download upgrade in the plan's own form to the
// single .tar, which holds only the new files (4.7.3's installers and the new Calico) with their
// signatures. Screenshots of each step go to screenshots/.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { describe, expect, inject } from "vitest";
import { pathOf, screenshot, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const exec = promisify(execFile);
const SITE_PACKS =
  "ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4,csi-aws-ebs@1.36.0,elastic-fluentd-kibana@8.5.1";
const PERMALINK = `${studioUrl}/bundle/confirm?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=${SITE_PACKS}`;

/** Presses Enter on the focused control and waits for the page it leads to. */
async function enter(page: Page) {
  const before = page.url();
  await Promise.all([page.waitForURL((u) => u.toString() !== before), page.keyboard.press("Enter")]);
  await page.waitForLoadState("load");
}

/** The text of each row header (the pack) in the table under the heading that starts with `title`. */
const packsUnder = (page: Page, title: string) =>
  page
    .locator("section", { has: page.getByRole("heading", { name: new RegExp(`^${title}`) }) })
    .last()
    .locator("tbody th")
    .allInnerTexts();

describe("the upgrade page", () => {
  test("goes from a pasted bundle link to the plan and downloads only the new files", async ({ browser }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${studioUrl}/`);
    await Promise.all([page.waitForURL(/\/upgrade$/), page.getByRole("link", { name: "Plan an upgrade" }).click()]);
    await screenshot(page, "upgrade-1-start");

    // Paste the link and submit with the keyboard.
    await page.getByRole("textbox", { name: "Bundle link", exact: true }).focus();
    await page.keyboard.insertText(PERMALINK);
    await enter(page);
    expect(pathOf(page)).toBe(
      `/upgrade?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=${SITE_PACKS}`,
    );
    await expect.poll(() => page.getByRole("heading", { name: "The site today" }).isVisible()).toBe(true);
    await screenshot(page, "upgrade-2-site");

    // The target select offers 4.7.3 first; Enter in the form plans the upgrade.
    const target = page.getByLabel("Upgrade to Palette Enterprise");
    expect(await target.inputValue()).toBe("4.7.3");
    await target.focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Plan upgrade");
    await enter(page);
    expect(new URL(page.url()).searchParams.get("target")).toBe("4.7.3");
    await expect
      .poll(() => page.getByRole("heading", { name: "Upgrade plan: Palette Enterprise 4.6.12 → 4.7.3" }).isVisible())
      .toBe(true);
    expect(await packsUnder(page, "Upgraded")).toEqual([expect.stringContaining("cni-calico")]);
    expect(await packsUnder(page, "Removed")).toEqual([expect.stringContaining("elastic-fluentd-kibana")]);
    expect((await packsUnder(page, "Kept")).map((t) => t.split("\n")[0])).toEqual([
      "Ubuntu (AWS)",
      "Palette eXtended Kubernetes",
      "Amazon EBS CSI",
    ]);
    const removedRow = page.getByRole("row", { name: /elastic-fluentd-kibana/ });
    await expect.poll(() => removedRow.innerText()).toContain("end of life 2025-09-30");
    await screenshot(page, "upgrade-3-plan");
    await page.setViewportSize({ width: 360, height: 780 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(
      0,
    );
    await screenshot(page, "upgrade-3-plan-phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Download upgrade: the plan's own form (captcha, Download Bundle), for only what the site lacks.
    expect(await page.locator("#download-title + p").innerText()).toContain("4 files");
    await screenshot(page, "upgrade-4-download");

    // Download Bundle issues the grant in place; its output offers the single .tar as a second choice.
    const work = await mkdtemp(join(tmpdir(), "upgrade-tar-"));
    try {
      // In place: the download island posts the form and shows the grant's links without leaving the page.
      await page.getByRole("button", { name: "Download Bundle" }).focus();
      await page.keyboard.press("Enter");
      const tarLink = page.getByRole("link", { name: /^Download as one \.tar/ });
      await expect.poll(() => tarLink.isVisible()).toBe(true);
      const listed = (
        await page
          .locator("#download a[data-file]")
          .evaluateAll((links) => links.map((a) => a.getAttribute("download") ?? ""))
      ).filter((name) => !name.endsWith(".sig.bin"));
      expect(listed).toEqual([
        "airgap-v4.7.3.tar.zst",
        "palette-enterprise-appliance-v4.7.3.iso",
        expect.stringMatching(/4\.7\.3.*\.tgz$/),
        "cni-calico-3.29.2.zst",
      ]);
      await screenshot(page, "upgrade-5-ready");
      // The browser is busy saving each file; the .tar link is fetched as curl would fetch it.
      const tar = await fetch((await tarLink.getAttribute("href"))!);
      expect(tar.status).toBe(200);
      await writeFile(join(work, "upgrade.tar"), new Uint8Array(await tar.arrayBuffer()));
      await page.close();
      const names = (await exec("tar", ["-tf", "upgrade.tar"], { cwd: work })).stdout.trim().split("\n");
      const files = names.map((n) => n.slice(n.indexOf("/") + 1)).filter((n) => /\.(zst|iso|tgz)$/.test(n));
      expect(files).toEqual([...listed]);
      expect(names.some((n) => n.includes("kubernetes-1.30.6"))).toBe(false);
      // Each file's signature, and the signed release manifests that cover the files (provenance).
      const fileSignatures = names.filter(
        (n) => n.endsWith(".sig.bin") && !n.endsWith("release.json.sig.bin") && !n.includes("/studio/"),
      );
      expect(fileSignatures).toHaveLength(4);
      expect(names.filter((n) => n.endsWith("/release.json")).length).toBeGreaterThan(0);
      // And the studio's signed bundle list that proves the set (docs/downloads.md), beside, not among, them.
      expect(names.filter((n) => n.includes("/studio/")).map((n) => n.slice(n.indexOf("/") + 1))).toEqual([
        "studio/bundle-list.txt",
        "studio/bundle-list.txt.sig.bin",
      ]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
