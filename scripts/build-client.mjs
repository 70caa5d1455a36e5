// Bundles the client islands (web/islands/*.ts) into web/public/js, minified, one file per island.
// wrangler runs this before `wrangler dev` and `wrangler deploy` ([build] in wrangler.toml).
import { readdirSync } from "node:fs";
import { build } from "esbuild";

const islands = readdirSync("web/islands").filter((f) => /\.tsx?$/.test(f));
await build({
  entryPoints: islands.map((f) => `web/islands/${f}`),
  outdir: "web/public/js",
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
