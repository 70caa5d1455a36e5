// Test helper: reads back what the sync wrote, straight from D1, for assertions.
import { env } from "cloudflare:workers";
import { count, eq } from "drizzle-orm";
import { primaryWriter } from "../../../worker/db/client";
import { packVersions, productVersions, releaseArtifacts, releases } from "../../../worker/db/schema";

export const db = () => primaryWriter(env);

/** How many catalog rows a release contributed; all zero for a refused one. */
export async function rowsPublishedBy(releaseId: string) {
  const d = db();
  const [packs] = await d.select({ n: count() }).from(packVersions).where(eq(packVersions.releaseId, releaseId));
  const [installers] = await d.select({ n: count() }).from(releaseArtifacts).where(eq(releaseArtifacts.releaseId, releaseId));
  const [versions] = await d.select({ n: count() }).from(productVersions).where(eq(productVersions.releaseId, releaseId));
  return { packVersions: packs.n, releaseArtifacts: installers.n, productVersions: versions.n };
}

export const releaseRow = (id: string) => db().select().from(releases).where(eq(releases.id, id)).get();
