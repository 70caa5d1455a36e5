// Test helper: forgets every key incident (what the catalog distrusts, and what it withdrew), so the
// next test of a file that shares one catalog starts from trusted keys again. Revocation is one way
// in the product (settings cannot lift it); tests that revoke one of the two test keys call this.
import { isNotNull, sql } from "drizzle-orm";
import { primaryWriter } from "../../../worker/db/client";
import { rebuildFacetCountStatements } from "../../../worker/db/facets";
import { distrustedKeys, packVersions, releaseArtifacts } from "../../../worker/db/schema";

export async function forgetKeyIncidents(env: Env): Promise<void> {
  const db = primaryWriter(env);
  const back = { yanked: false, yankedAt: null, yankReason: null, withdrawnByKey: null };
  await db.batch([
    db.delete(distrustedKeys),
    db.update(packVersions).set(back).where(isNotNull(packVersions.withdrawnByKey)),
    db.update(releaseArtifacts).set(back).where(isNotNull(releaseArtifacts.withdrawnByKey)),
    ...rebuildFacetCountStatements(db),
    db.run(sql`UPDATE catalog_state SET generation = generation + 1 WHERE id = 1`),
  ]);
}
