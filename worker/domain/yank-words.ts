// How a yank is told to people, in one wording wherever they meet it: the pack API's 410, the pack
// page, an old bundle link, a grant made before the yank.

/** A yanked pack version's record: when (epoch ms; null for rows from before it was recorded) and why. */
export type YankRecord = { name: string; version: string; yankedAt: number | null; yankReason: string | null };

/** "yanked on 2026-12-06 06:00 UTC: CVE-2026-1234 in the controller image" */
export function yankWords(r: Pick<YankRecord, "yankedAt" | "yankReason">): string {
  const when =
    r.yankedAt === null ? "" : ` on ${new Date(r.yankedAt).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `yanked${when}${r.yankReason ? `: ${r.yankReason}` : " (no reason recorded)"}`;
}
