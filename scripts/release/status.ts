// `release status <release-id>`: the sync's verdict on a pushed release, now or as it comes.
import type { ReleaseFolder } from "./studio-client";
import type { Studio } from "./studio-client";

export const statusHelp = `Usage: npm run release -- status <release-id> --studio URL --token TOKEN [--wait SECONDS]

Prints the sync's verdict on the release: "published: …", "quarantined: <reason>" with every
finding, or that it is still uploading or verifying. Exit code: 0 published, 1 quarantined, 2 not yet.

Options:
  --studio URL      the studio (or STUDIO_URL)
  --token TOKEN     a publisher token allowed this release id (or PUBLISHER_TOKEN)
  --wait SECONDS    wait up to this long for a verdict (default 0: answer at once)`;

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
