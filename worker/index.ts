// The Worker entry: HTTP through the Hono app, and the Cron Trigger that runs the catalog sync.
import { app } from "./app";
import { runSync } from "./sync/run";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runSync(env, { trigger: "cron" }).then(() => undefined));
  },
} satisfies ExportedHandler<Env>;
