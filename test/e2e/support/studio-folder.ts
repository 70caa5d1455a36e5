// A fresh local studio folder for an e2e test that runs its own studio (not the shared one): keys,
// settings and the state's path, and the options `npm start` would use on it.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoKey, ensureDevVars } from "../../../scripts/demo-catalog";
import { freePort } from "../../../scripts/studio";

export async function freshFolder(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const persistTo = join(dir, "state");
  const devVarsPath = join(dir, ".dev.vars");
  const keysDir = join(dir, "keys");
  const key = await ensureDemoKey(keysDir);
  await ensureDevVars(devVarsPath, key);
  return { dir, persistTo, devVarsPath, keysDir, key };
}

export type StudioFolder = Awaited<ReturnType<typeof freshFolder>>;

/** startStudio's options on the folder, on a free port, logging to wrangler.log there. */
export async function studioOptions({ dir, persistTo, devVarsPath, keysDir }: StudioFolder) {
  return {
    port: await freePort(),
    persistTo,
    devVarsPath,
    keysDir,
    demoDir: join(dir, "demo"),
    logFile: join(dir, "wrangler.log"),
    quiet: true,
  };
}
