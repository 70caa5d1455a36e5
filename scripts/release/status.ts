// `release status <release-id | dir>`: the sync's verdict on a pushed release, now or as it comes.
import { basename, resolve } from "node:path";
import { releaseIdProblem } from "../../worker/sync/release-manifest";
import { UsageError } from "./files";
import type { ReleaseFolder } from "./studio-client";
import type { Studio } from "./studio-client";

export const statusHelp = `Usage: npm run release -- status <release-id | dir> [--wait SECONDS]     (STUDIO_URL and PUBLISHER_TOKEN in the environment)

Prints the sync's verdict on the release: "published: …", "quarantined: <reason>" with every
finding, or that it is still uploading or verifying. Exit code: 0 published, 1 quarantined, 2 not yet.

Options:
  --studio URL      the studio (default: STUDIO_URL)
  --token TOKEN     a publisher token allowed this release id (default: PUBLISHER_TOKEN;
                    prefer the env var: npm prints command lines, and CI logs keep them)
  --wait SECONDS    wait up to this long for a verdict (default 0: answer at once)`;

/**
 * The release id a command names: a release id, or a release folder (its name, as every other
 * command takes it). Checked here, so a path never ends up inside a studio URL.
 */
export function releaseIdOf(target: string): string {
  const releaseId = basename(resolve(target));
  const problem = releaseIdProblem(releaseId);
  if (problem)
    throw new UsageError(`release id: ${target} is neither a release id nor a folder named after one (${problem})`);
  return releaseId;
}

export type Verdict = { releaseId: string; folder: ReleaseFolder };

/** Polls the release until the sync publishes or quarantines it, or `waitSeconds` pass. */
export async function followVerdict(studio: Studio, releaseId: string, waitSeconds: number): Promise<Verdict> {
  const deadline = Date.now() + waitSeconds * 1000;
  let last = "";
  for (;;) {
    const folder = await studio.folder(releaseId);
    const status = folder.release?.status ?? "uploaded";
    if (status !== last) {
      if (status === "processing") console.log(`verifying ${folder.release?.fileCount ?? "its"} files…`);
      last = status;
    }
    if (status === "published" || status === "quarantined" || Date.now() >= deadline) return { releaseId, folder };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

type Findings = { findings?: { file?: string; problem: string }[] };
type Published = { verified?: { file: string }[]; alreadyPublished?: string[] };

/** Prints the verdict; answers the exit code (0 published, 1 quarantined, 2 not yet). */
export function printVerdict({ releaseId, folder }: Verdict): number {
  const release = folder.release;
  if (!release) {
    console.log(`${releaseId}: not taken by the sync yet (${folder.objects.length} objects uploaded)`);
    return 2;
  }
  if (release.status === "published") {
    const details = (release.details ?? {}) as Published;
    const files = details.verified?.map((v) => v.file) ?? [];
    console.log(`published: ${releaseId}: ${files.length} files verified and published (${files.join(", ")})`);
    if (details.alreadyPublished?.length)
      console.log(`  already published before: ${details.alreadyPublished.join(", ")}`);
    return 0;
  }
  if (release.status === "quarantined") {
    console.log(`quarantined: ${release.reason}`);
    for (const f of ((release.details ?? {}) as Findings).findings ?? [])
      console.log(`  ${f.file ? `${f.file}: ` : ""}${f.problem}`);
    return 1;
  }
  console.log(`${releaseId}: still ${release.status}`);
  return 2;
}
