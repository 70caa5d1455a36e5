// Screenshots of every page at 1280 and 360 px (full page), with JavaScript on, into screenshots/
// (git-ignored), for a person to look at: `<name>-<width>.png`.
//
//   npm run screenshots -- [--url http://127.0.0.1:8787] [--out screenshots] [--only verify,packs]
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { launchChromium, tourStops, visit, WIDTHS } from "./page-tour";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.STUDIO_URL ?? "http://127.0.0.1:8787" },
    out: { type: "string", default: "screenshots" },
    only: { type: "string" },
  },
});
const base = values.url.replace(/\/$/, "");
const out = resolve(values.out);
await mkdir(out, { recursive: true });

const browser = await launchChromium();
try {
  const only = values.only?.split(",");
  const stops = (await tourStops(browser, base)).filter((s) => !only || only.includes(s.name));
  for (const stop of stops) {
    for (const [label, viewport] of Object.entries(WIDTHS)) {
      const page = await browser.newPage({ viewport });
      page.setDefaultTimeout(20_000);
      await visit(page, stop);
      const path = join(out, `${stop.name}-${viewport.width}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`${stop.name} ${label}: ${path}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
