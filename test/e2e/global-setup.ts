// Starts one local Artifact Studio for the whole e2e project: a fresh temp persist dir, a temp
// .dev.vars and a temp demo key, so the repo's own local state is never touched. The signed demo
// catalog is published through the real scheduled sync before any test runs.
import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { startStudioInTemp } from "../../scripts/studio";

declare module "vitest" {
  export interface ProvidedContext {
    /** e.g. http://127.0.0.1:41234, no trailing slash. */
    studioUrl: string;
    /** Bearer token for /api/v1/admin. */
    adminToken: string;
    /** The demo generator's output: <releaseId>/<files> and spectro_public_key.pem. */
    demoDir: string;
  }
}

export default async function setup(project: TestProject) {
  const { work: dir, studio } = await startStudioInTemp("artifact-studio-e2e-");
  project.provide("studioUrl", studio.url);
  project.provide("adminToken", studio.adminToken);
  project.provide("demoDir", studio.demoDir);

  return async () => {
    await studio.stop();
    // KEEP_E2E_STATE=1 keeps the temp dir (wrangler.log, local D1/R2) for inspection.
    if (!process.env.KEEP_E2E_STATE) await rm(dir, { recursive: true, force: true });
  };
}
