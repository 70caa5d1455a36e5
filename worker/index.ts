// The Worker entry: HTTP through the Hono app, the Cron Trigger that runs the catalog sync (then the
// grant retention step), and the Workflow that verifies each release's files. Each hands its bindings
// through meteredEnv, which only counts (for scripts/bench-journeys.ts) under BENCH_METER=on with
// ENVIRONMENT=local.
import { app } from "./app";
import { countRequest, meteredEnv, meteredStep, meterIsOn, takeTotals } from "./bench-meter";
import { retainGrants } from "./downloads/grant-retention";
import { runSync } from "./sync/run";
import { VerifyReleaseWorkflow as VerifyRelease } from "./sync/workflow";

export class VerifyReleaseWorkflow extends VerifyRelease {
  constructor(ctx: ExecutionContext, env: Env) {
    super(ctx, meteredEnv(env));
  }

  override run(...[event, step]: Parameters<VerifyRelease["run"]>) {
    return super.run(event, meteredStep(step, this.env));
  }
}

export default {
  fetch(request, env, ctx) {
    if (meterIsOn(env)) {
      if (new URL(request.url).pathname === "/__bench/meter") return takeTotals();
      countRequest();
    }
    return app.fetch(request, meteredEnv(env), ctx);
  },
  async scheduled(_controller, env) {
    const metered = meteredEnv(env);
    try {
      // Awaited rather than waitUntil: the run's outcome is the scheduled event's outcome.
      await runSync(metered, { trigger: "cron" });
    } finally {
      // After the sync, so it never delays it; its own bounded batch that never throws, so it never
      // changes the run's outcome, and runs even when the sync failed (grants keep arriving).
      await retainGrants(metered);
    }
  },
} satisfies ExportedHandler<Env>;
