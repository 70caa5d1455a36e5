// `release publish <dir>`: the whole release in one command. It drafts release.json and signs the
// folder when that has not been done yet, asks the studio what its sync would say, and uploads only
// when the answer is "would publish"; then it follows the sync to its verdict. A folder built and
// signed before is kept as it is: signatures made again would be other bytes (ECDSA is randomised)
// and would clash with a half-finished earlier push, since the studio's uploads are write-once.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE } from "../../worker/sync/release-manifest";
import { check, printCheck } from "./check";
import { UsageError } from "./files";
import { init, type InitOptions } from "./init";
import { push, type PushOptions } from "./push";
import { sign, type SignOptions } from "./sign";

export const publishHelp = `Usage: npm run release -- publish <dir> --studio URL --token TOKEN
                              (--key FILE | --sign-command CMD [--digest]) [--key-id ID] [options]

The whole release, in order, stopping at the first step that fails:
  1. init   when <dir> has no release.json (needs --key-id, or keyId in the definition file)
  2. sign   when release.json has no release.json.sig.bin (needs --key or --sign-command)
  3. check  against the studio: nothing is uploaded unless it says "would publish"
  4. push   upload, sync now, and print the verdict
A folder already built and signed is kept as it is (delete release.json to build it again), so a
re-run after an interrupted push resumes it instead of signing again.
Exit code: 0 published, 1 refused by check or quarantined, 2 still verifying when --wait ran out.

Options: those of init, sign and push (see their --help): --key-id, --release-id, --audience,
--expires-at, --installer, --definition, --key, --sign-command, --digest, --public-key, --studio,
--token, --parallel, --part-mib, --wait.`;

export type PublishOptions = Omit<InitOptions, "out"> & Omit<SignOptions, "parallel"> & PushOptions;

export async function publish(opts: PublishOptions): Promise<number> {
  const log = console.log;
  const { dir } = opts;
  if (!existsSync(join(dir, RELEASE_JSON))) {
    const { path, manifest } = await init(opts);
    log(`1/4 init: wrote ${path}: ${manifest.releaseId}, ${manifest.files.length} files`);
  } else log(`1/4 init: ${RELEASE_JSON} kept (delete it to build the release again)`);

  if (!existsSync(join(dir, RELEASE_JSON_SIGNATURE))) {
    if (!opts.key && !opts.signCommand) throw new UsageError("--key FILE or --sign-command CMD: required to sign");
    const { signed } = await sign(opts);
    log(`2/4 sign: signed ${signed.length - 1} files, then ${RELEASE_JSON}`);
  } else log(`2/4 sign: ${RELEASE_JSON_SIGNATURE} kept`);

  const verdict = await check({ dir, studio: opts.studio, releaseId: opts.releaseId });
  log("3/4 check:");
  printCheck(verdict);
  if (!verdict.ok) {
    log("nothing was uploaded");
    return 1;
  }
  log("4/4 push:");
  return push(opts);
}
