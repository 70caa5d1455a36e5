// The Worker entry: HTTP through the Hono app, the Cron Trigger that runs the catalog sync, and the
// Workflow that verifies each release's files.
import { app } from "./app";
import { runSync } from "./sync/run";

export { VerifyReleaseWorkflow } from "./sync/workflow";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    // Awaited rather than waitUntil: the run's outcome is the scheduled event's outcome.
    await runSync(env, { trigger: "cron" });
  },
} satisfies ExportedHandler<Env>;
