// A local studio of a test file's own, in a fresh temp dir (state, .dev.vars, keys, demo catalog,
// wrangler.log), for the e2e files that change the catalog or the keys the other files share.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type Studio, startStudio } from "../../../scripts/studio";

/** Starts the studio; `work` is its temp dir (keys/ and state/ inside), for the caller to remove. */
export async function privateStudio(prefix: string): Promise<{ work: string; studio: Studio }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const studio = await startStudio({
    port: await freePort(),
    persistTo: join(work, "state"),
    devVarsPath: join(work, ".dev.vars"),
    keysDir: join(work, "keys"),
    demoDir: join(work, "demo"),
    logFile: join(work, "wrangler.log"),
    quiet: true,
  });
  return { work, studio };
}
