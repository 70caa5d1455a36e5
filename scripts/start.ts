// `npm start`: a local Artifact Studio with the signed demo catalog, published through the real sync.
// Local data lives in .wrangler/state and survives restarts; the demo is only added to an empty catalog.
//
//   npm start [-- --port 8787] [--persist-to .wrangler/state]
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { formatSummary, ROOT, startStudio } from "./studio";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    "persist-to": { type: "string", default: ".wrangler/state" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a TCP port number, got ${values.port}`);
  process.exit(2);
}

const started = performance.now();
try {
  const studio = await startStudio({ port, persistTo: values["persist-to"] });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping wrangler dev…");
    await studio.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  process.on("SIGHUP", shutdown);

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
  if (studio.summary.releases.processing) {
    console.warn(
      `  warning: ${studio.summary.releases.processing} release(s) hit a sync error (see the wrangler output above); ` +
        "the next scheduled run or POST /api/v1/admin/sync retries them",
    );
  }
  console.log("Press Ctrl-C to stop. Local data is kept for the next start.");
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
