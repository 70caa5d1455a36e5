// The page audit: Lighthouse (performance, accessibility, best practices, SEO) at mobile and desktop
// settings, and axe-core (WCAG 2.1 A/AA) at 1280 and 360 px with JavaScript on and off, on every page
// of the tour (scripts/page-tour.ts) of a running studio, or of one this starts. Prints a table and
// ends with one JSON line of every figure. Exits 1 when a page is under 100 or has an axe violation.
//
//   npm run audit:pages -- [--url http://127.0.0.1:8787] [--only home,verify] [--no-lighthouse]
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AxeResults } from "axe-core";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import type { Browser } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, launchChromium, type TourStop, tourStops, visit, WIDTHS } from "./page-tour";
import { freePort, startStudio } from "./studio";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.STUDIO_URL },
    only: { type: "string" },
    "no-lighthouse": { type: "boolean", default: false },
  },
});

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
type Scores = Record<(typeof CATEGORIES)[number], number>;
type Row = { page: string; url: string; mobile?: Scores; desktop?: Scores; axe: Record<string, number> };

async function lighthouseScores(
  url: string,
  port: number,
  desktop: boolean,
): Promise<{ scores: Scores; fails: string[] }> {
  const flags = { port, output: "json" as const, logLevel: "error" as const, onlyCategories: [...CATEGORIES] };
  const result = await lighthouse(url, flags, desktop ? desktopConfig : undefined);
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  const { categories, audits } = result.lhr;
  const scores = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.round((categories[c]?.score ?? 0) * 100)]),
  ) as Scores;
  // The audits that cost points, so the table says what to fix.
  const fails = CATEGORIES.flatMap((c) =>
    (categories[c]?.auditRefs ?? [])
      .filter((ref) => ref.weight > 0 && (audits[ref.id]?.score ?? 1) < 1)
      .map((ref) => `${c}:${ref.id}`),
  );
  return { scores, fails };
}

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function axeViolations(browser: Browser, stop: TourStop, axeSource: string) {
  const counts: Record<string, number> = {};
  const found: string[] = [];
  for (const [label, viewport] of Object.entries(WIDTHS)) {
    for (const js of [true, false]) {
      // Without JavaScript a download button posts the form: the no-JS result is its own page load.
      if (stop.press && !js) continue;
      // "JavaScript off" is the page without its islands: the browser's own JavaScript stays on, since
      // axe runs in the page (Playwright cannot evaluate in a page whose JavaScript is disabled).
      const context = await browser.newContext({ viewport });
      if (!js) await context.route(/\/js\/[\w-]+\.js$/, (route) => route.abort());
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await visit(page, stop);
      await page.evaluate(() => {
        for (const d of document.querySelectorAll("details")) d.open = true;
      });
      await page.evaluate(axeSource);
      const results = (await page.evaluate(
        (tags) =>
          (window as unknown as { axe: typeof import("axe-core") }).axe.run(document, {
            runOnly: { type: "tag", values: tags },
          }),
        WCAG_TAGS,
      )) as AxeResults;
      const key = `${viewport.width}${js ? "" : "-nojs"}`;
      counts[key] = results.violations.length;
      for (const v of results.violations)
        found.push(
          `${stop.name} ${label}${js ? "" : " no-JS"}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
      await context.close();
    }
  }
  return { counts, found };
}

async function studioUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (values.url) return { url: values.url.replace(/\/$/, ""), stop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), "artifact-studio-audit-"));
  const studio = await startStudio({
    port: await freePort(),
    persistTo: join(dir, "state"),
    devVarsPath: join(dir, ".dev.vars"),
    keysDir: join(dir, "keys"),
    demoDir: join(dir, "demo"),
    logFile: join(dir, "wrangler.log"),
    quiet: true,
  });
  return {
    url: studio.url,
    stop: async () => {
      await studio.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const cell = (s?: Scores) => (s ? CATEGORIES.map((c) => String(s[c]).padStart(3)).join(" ") : "  -   -   -   -");

async function main() {
  const studio = await studioUrl();
  const browser = await launchChromium();
  const chrome = values["no-lighthouse"]
    ? undefined
    : await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_ARGS });
  const rows: Row[] = [];
  const problems: string[] = [];
  try {
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const only = values.only?.split(",");
    const stops = (await tourStops(browser, studio.url)).filter((s) => !only || only.includes(s.name));
    for (const stop of stops) {
      const row: Row = { page: stop.name, url: stop.url.replace(studio.url, ""), axe: {} };
      if (chrome && !stop.press) {
        for (const desktop of [false, true]) {
          const { scores, fails } = await lighthouseScores(stop.url, chrome.port, desktop);
          row[desktop ? "desktop" : "mobile"] = scores;
          problems.push(...fails.map((f) => `${stop.name} ${desktop ? "desktop" : "mobile"}: ${f}`));
        }
      }
      const axe = await axeViolations(browser, stop, axeSource);
      row.axe = axe.counts;
      problems.push(...axe.found);
      rows.push(row);
      console.log(
        `${stop.name.padEnd(24)} mobile ${cell(row.mobile)} | desktop ${cell(row.desktop)} | axe ${Object.entries(
          row.axe,
        )
          .map(([k, n]) => `${k}:${n}`)
          .join(" ")}`,
      );
    }
  } finally {
    await browser.close();
    chrome?.kill();
    await studio.stop();
  }
  console.log(`\n(columns: ${CATEGORIES.join(", ")}; axe: violations at width[-nojs])`);
  for (const p of problems) console.log(`  ${p}`);
  const perfect = rows.every(
    (r) =>
      [r.mobile, r.desktop].every((s) => !s || CATEGORIES.every((c) => s[c] === 100)) &&
      Object.values(r.axe).every((n) => n === 0),
  );
  console.log(JSON.stringify({ audit: "pages", perfect, rows }));
  if (!perfect) process.exitCode = 1;
}

await main();
