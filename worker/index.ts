// The Worker entry: HTTP through the Hono app, and the Cron Trigger that runs the catalog sync.
import { app } from "./app";
import { runSync } from "./sync/run";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    // Awaited rather than waitUntil: the run's outcome is the scheduled event's outcome.
    await runSync(env, { trigger: "cron" });
  },
} satisfies ExportedHandler<Env>;
