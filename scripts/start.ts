// `npm start`: a local Artifact Studio with the signed demo catalog, published through the real sync.
// Local data lives in .wrangler/state and survives restarts; the demo is only added to an empty catalog.
//
//   npm start [-- --port 8787] [--persist-to .wrangler/state] [--dev-vars .dev.vars] [--keys .data/keys]
//             [--demo-dir .data/demo]
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { describeVerifying, formatSummary, ROOT, type Studio, startStudio } from "./studio";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    "persist-to": { type: "string", default: ".wrangler/state" },
    "dev-vars": { type: "string" },
    keys: { type: "string" },
    "demo-dir": { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a TCP port number, got ${values.port}`);
  process.exit(2);
}

// Ctrl-C, kill or a closed terminal at any point, start-up included, ends everything this started:
// the start-up is aborted (its wrangler processes and workerd with it), or the running studio stopped.
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const startup = new AbortController();
let studio: Studio | undefined;
let stopping = false;
for (const [name, number] of Object.entries(SIGNALS)) {
  process.on(name, () => {
    if (stopping) return;
    stopping = true;
    if (!studio) {
      console.log(`\n${name}: stopping the start-up…`);
      process.exitCode = 128 + number;
      startup.abort(new Error(`start-up interrupted by ${name}`));
      return; // the start-up's catch below exits once everything it started has ended
    }
    console.log("\nstopping wrangler dev…");
    void studio.stop().then(() => process.exit(0));
  });
}

// npm forwards SIGINT and SIGTERM but not SIGHUP: when npm itself is hung up on (or killed), this
// process is handed to another parent and hears nothing, so a changed parent counts as a hangup.
const parent = process.ppid;
// After a hangup the terminal may be gone: a failed write must not cut the clean-up short.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
setInterval(() => process.ppid !== parent && process.emit("SIGHUP", "SIGHUP"), 1000).unref();

const started = performance.now();
try {
  studio = await startStudio({
    port,
    persistTo: values["persist-to"],
    devVarsPath: values["dev-vars"],
    keysDir: values.keys,
    demoDir: values["demo-dir"],
    signal: startup.signal,
  });
  if (stopping) throw new Error("interrupted");
  console.log("");
  console.log(
    `Artifact Studio is running at ${studio.url} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  admin token: ADMIN_TOKEN in ${relative(ROOT, studio.devVarsPath) || studio.devVarsPath} (Authorization: Bearer …)`,
  );
  console.log(
    `  public key:  ${studio.url}/spectro_public_key.pem (local copy: ${relative(ROOT, studio.publicKeyPath)})`,
  );
  console.log(`  catalog:     ${formatSummary(studio.summary)}`);
  const verifying = studio.summary.stillVerifying ?? [];
  for (const release of verifying) console.log(`  still verifying: ${describeVerifying(release)}`);
  if (verifying.length) {
    console.log(
      "  (a Workflow that stops moving is retried by the next scheduled run; watch GET /api/v1/admin/releases?status=processing)",
    );
  }
  const failed = studio.summary.releases.processing - verifying.length;
  if (failed > 0) {
    console.warn(
      `  warning: ${failed} release(s) hit a sync error (see the wrangler output above); ` +
        "the next scheduled run or POST /api/v1/admin/sync retries them",
    );
  }
  console.log("Press Ctrl-C to stop. Local data is kept for the next start.");
} catch (err) {
  await studio?.stop();
  if (startup.signal.aborted) process.exit();
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
