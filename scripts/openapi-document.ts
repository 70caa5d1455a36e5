// Writes the OpenAPI document exactly as the Worker serves it (GET /api/v1/openapi.json), for
// `npm run lint:openapi` to lint with redocly. The Worker runs in workerd through wrangler's own dev
// server (built from wrangler.toml, as `wrangler dev` builds it), on a random port and a throwaway
// local state, so a running `npm start` is not disturbed.
//
//   tsx scripts/openapi-document.ts [--out .data/openapi.json]
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, toolEnv } from "./studio";

const { values } = parseArgs({ options: { out: { type: "string", default: ".data/openapi.json" } } });
const out = resolve(values.out);

// Offline machines cannot fetch the Request.cf sample; wrangler reads these from the environment.
Object.assign(process.env, toolEnv(), { WRANGLER_LOG: process.env.WRANGLER_LOG ?? "error" });
const { unstable_startWorker } = await import("wrangler");

const state = await mkdtemp(join(tmpdir(), "openapi-document-"));
const worker = await unstable_startWorker({
  config: join(ROOT, "wrangler.toml"),
  dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: state, watch: false },
});
try {
  const res = await worker.fetch("http://localhost/api/v1/openapi.json");
  const body = await res.text();
  if (!res.ok) throw new Error(`GET /api/v1/openapi.json answered ${res.status}: ${body.slice(0, 500)}`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(JSON.parse(body), null, 2)}\n`);
  console.log(`wrote the served OpenAPI document to ${relative(process.cwd(), out) || out}`);
} finally {
  await worker.dispose();
  await rm(state, { recursive: true, force: true });
}
