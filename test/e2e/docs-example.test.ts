// The docs' own example, end to end: build the bundle their verification example shows through the
// wizard as the docs describe it (Palette Enterprise → Controller mode → AWS → Ubuntu 22.04 →
// Kubernetes 1.32.3 → Calico 3.29.2 → EBS CSI 1.41.0 → Kubernetes Dashboard 7.11.1), select
// Download Bundle, keep what the browser saves, and run the docs' sample script, verbatim but for
// the public key path the docs say to fill in. It must print exactly the docs' five example lines.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Download, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { screenshot, test } from "./support/browser";
import { docsSampleScript } from "./support/docs-script";

const studioUrl = inject("studioUrl");

/** The docs' "Example output". */
const DOCS_EXAMPLE_OUTPUT = `cni-calico-3.29.2.zst: ✅ Signature valid
csi-aws-ebs-1.41.0.zst: ✅ Signature valid
kubernetes-1.32.3.zst: ✅ Signature valid
spectro-k8s-dashboard-7.11.1.zst: ✅ Signature valid
ubuntu-aws-22.04.zst: ✅ Signature valid`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "docs-example-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Clicks a button and waits for the step it leads to (wizard forms redirect through /bundle/next). */
async function step(page: Page, name: string) {
  const before = page.url();
  await Promise.all([
    page.waitForURL((u) => u.toString() !== before && !u.pathname.startsWith("/bundle/next")),
    page.getByRole("button", { name, exact: true }).click(),
  ]);
  await page.waitForLoadState("load");
}

test("builds the docs' example bundle in the wizard, downloads it, and the docs' script prints the docs' five lines", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);

  // Navigate to Artifact Studio; in the Create pack bundle section, select Build bundle.
  await page.goto(`${studioUrl}/`);
  await Promise.all([page.waitForURL(/\/bundle\/product/), page.getByRole("link", { name: "Build bundle" }).click()]);
  await page.getByLabel("Palette Enterprise Appliance").check();
  await step(page, "Next Step");
  expect(await page.locator("#version").inputValue()).toBe("4.7.3"); // the newest, preselected
  await step(page, "Next Step");
  await page.getByLabel(/^Controller mode/).check();
  await step(page, "Next Step");
  await page.getByLabel("AWS").check();
  await step(page, "Next Step");
  for (const [layer, pick, next] of [
    ["os", "ubuntu-aws@22.04", "Next Layer"],
    ["k8s", "kubernetes@1.32.3", "Next Layer"],
    ["cni", "cni-calico@3.29.2", "Next Layer"],
    ["csi", "csi-aws-ebs@1.41.0", "Next Layer"],
    ["addon", "spectro-k8s-dashboard@7.11.1", "Add to Bundle"],
  ] as const) {
    expect(new URL(page.url()).pathname).toBe(`/bundle/layers/${layer}`);
    await page.locator(`input[name="pick"][value="${pick}"]`).check();
    await step(page, next);
  }
  // Review your bundle, then Next Step; confirm, solve the captcha (off locally), Download Bundle.
  expect(new URL(page.url()).pathname).toBe("/bundle/review");
  await Promise.all([page.waitForURL(/\/bundle\/confirm/), page.getByRole("link", { name: "Next Step" }).click()]);
  expect(await page.locator("[data-missing-layers]").count()).toBe(0);
  const saved: Promise<void>[] = [];
  page.on("download", (d: Download) => saved.push(d.saveAs(join(work, d.suggestedFilename()))));
  await page.getByRole("button", { name: "Download Bundle", exact: true }).click();
  await expect.poll(() => saved.length, { timeout: 15_000 }).toBe(10);
  await Promise.all(saved);
  await screenshot(page, "docs-example-confirm");
  await context.close();

  expect((await readdir(work)).sort()).toEqual(
    DOCS_EXAMPLE_OUTPUT.split("\n")
      .map((line) => line.split(":")[0])
      .flatMap((zst) => [zst.replace(/\.zst$/, ".sig.bin"), zst])
      .sort(),
  );
  // Bundle Verification Instructions: download spectro_public_key.pem (kept outside the folder the
  // script loops over), substitute REPLACE ME with its path, chmod +x and run.
  const keyDir = await mkdtemp(join(tmpdir(), "docs-example-key-"));
  const key = join(keyDir, "spectro_public_key.pem");
  await writeFile(key, await (await fetch(`${studioUrl}/spectro_public_key.pem`)).text());
  await writeFile(join(work, "verify-signatures.sh"), docsSampleScript(key), {
    mode: 0o755,
  });
  const { stdout } = await promisify(execFile)("bash", ["./verify-signatures.sh"], {
    cwd: work,
    env: { ...process.env, LC_ALL: "C" },
  });
  await rm(keyDir, { recursive: true, force: true });
  expect(stdout.trimEnd()).toBe(DOCS_EXAMPLE_OUTPUT);
});
