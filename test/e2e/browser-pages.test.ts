// Every page in a real browser: the JavaScript it loads stays under 15 KB gzip, nothing overflows
// a 360 px wide screen, and the HTML/CSS/JS weight and server time of each page are recorded in
// screenshots/page-weights.json (figures, not assertions: these machines are noisy).
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject } from "vitest";
import { measureTransfer, screenshot, SCREENSHOTS, serverTiming, type Transfer, test } from "./support/browser";

const studioUrl = inject("studioUrl");
const demoDir = inject("demoDir");
const JS_BUDGET = 15 * 1024;
const bundle = "product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws";

const PAGES: [string, string][] = [
  ["home", "/"],
  ["install", "/install/palette-enterprise?version=4.7.3"],
  ["verify", "/verify"],
  ["bundle-product", "/bundle/product"],
  ["bundle-version", "/bundle/version?product=palette-enterprise"],
  ["bundle-use-case", "/bundle/use-case?product=palette-enterprise&version=4.7.3"],
  ["bundle-cloud", "/bundle/cloud?product=palette-enterprise&version=4.7.3&useCase=controller"],
  ["bundle-os", `/bundle/layers/os?${bundle}`],
  ["bundle-addon", `/bundle/layers/addon?${bundle}&packs=ubuntu-aws@22.04,kubernetes@1.32.1`],
  ["bundle-review", `/bundle/review?${bundle}&packs=ubuntu-aws@22.04,kubernetes@1.32.1,cni-calico@3.29.1`],
  ["bundle-confirm", `/bundle/confirm?${bundle}&packs=ubuntu-aws@22.04,kubernetes@1.32.1,cni-calico@3.29.1`],
  ["packs", "/packs"],
  ["pack-detail", "/packs/cni-calico"],
  ["upgrade", "/upgrade"],
  [
    "upgrade-plan",
    "/upgrade?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4,elastic-fluentd-kibana@8.5.1&target=4.7.3",
  ],
  ["not-found", "/no/such/page"],
];

describe("every page", () => {
  test("ships under 15 KB of gzipped JavaScript and records its weight and server time", async ({ browser }) => {
    const weights: Record<string, Transfer & { serverMs: number }> = {};
    for (const [name, path] of PAGES) {
      // A fresh context each time: an empty cache, as a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const transfer = await measureTransfer(page, studioUrl + path);
      expect(transfer.html, name).toBeGreaterThan(500);
      expect(transfer.css, name).toBeGreaterThan(500);
      expect(transfer.js, `${name} loads ${transfer.js} B of gzipped JS`).toBeLessThan(JS_BUDGET);
      weights[name] = { ...transfer, serverMs: Math.round((await serverTiming(page)) * 10) / 10 };
      await context.close();
    }
    await mkdir(SCREENSHOTS, { recursive: true }); // a fresh clone has no screenshots/ yet
    await writeFile(join(SCREENSHOTS, "page-weights.json"), JSON.stringify(weights, null, 2));
    console.table(
      Object.fromEntries(
        Object.entries(weights).map(([k, w]) => [k, { html: w.html, css: w.css, js: w.js, serverMs: w.serverMs }]),
      ),
    );
  });

  test("fits a 360 px wide screen without sideways scrolling", async ({ browser }) => {
    const page = await browser.newPage({ viewport: { width: 360, height: 780 } });
    for (const [name, path] of PAGES) {
      await page.goto(studioUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${name} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await screenshot(page, `mobile-${name}`);
    }
    await page.close();
  });
});

describe("the verification instructions", () => {
  test("show commands for files this catalog really has, and their script verifies real downloads", async ({
    browser,
  }) => {
    const page = await browser.newPage();
    await page.goto(`${studioUrl}/verify`);
    const commands = await page.locator("pre code").allInnerTexts();
    const bundleCommand = commands.find((c) => c.includes(".tar.zst"))!;
    const bundleFile = bundleCommand.split(" ").at(-1)!;
    await screenshot(page, "verify");
    await page.close();

    // The demo release folder that holds that content bundle, as a user would have downloaded it.
    const releases = await readdir(demoDir, { withFileTypes: true });
    let source: string | undefined;
    for (const r of releases.filter((e) => e.isDirectory()))
      if ((await readdir(join(demoDir, r.name))).includes(bundleFile)) source = join(demoDir, r.name);
    expect(source, `${bundleFile} is a demo artifact`).toBeDefined();

    const work = await mkdtemp(join(tmpdir(), "verify-script-"));
    try {
      const script = await fetch(`${studioUrl}/verify-signatures.sh`);
      expect(script.headers.get("Content-Disposition")).toBe('attachment; filename="verify-signatures.sh"');
      await writeFile(join(work, "verify-signatures.sh"), await script.text(), { mode: 0o755 });
      await writeFile(
        join(work, "spectro_public_key.pem"),
        await (await fetch(`${studioUrl}/spectro_public_key.pem`)).text(),
      );
      for (const f of [bundleFile, bundleFile.replace(/\.zst$/, ".sig.bin")])
        await copyFile(join(source!, f), join(work, f));
      const run = promisify(execFile);
      const ok = await run("bash", ["./verify-signatures.sh"], { cwd: work });
      expect(ok.stdout.trim()).toBe(`${bundleFile}: ✅ Signature valid`);
      // The page's own openssl command prints what the page says it prints.
      const [, ...args] = bundleCommand.split(" ");
      expect((await run("openssl", args, { cwd: work })).stdout.trim()).toBe("Verified OK");

      // A changed byte is caught, and the script says so with a failing exit status.
      const data = join(work, bundleFile);
      const bytes = new Uint8Array(await readFile(data));
      bytes[0] ^= 0xff;
      await writeFile(data, bytes);
      const failed = await run("bash", ["./verify-signatures.sh"], { cwd: work }).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout.trim()).toBe(`${bundleFile}: ❌ Signature invalid`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
