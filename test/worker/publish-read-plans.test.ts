// A publish's and a download's reads follow the release or the grant, not the catalog: the
// statements `npm run bench:journeys` found reading the whole catalog (191,223 rows for a 200-file
// publish at 9,979 versions, 107 releases for each kept-manifest lookup of a download) now go
// through indexes. EXPLAIN QUERY PLAN shows which; the migration 0018 indexes are what they take.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { stampGenerations } from "../../worker/db/change-log";
import { findKeptManifests, releasesByIdStatement } from "../../worker/db/grant-queries";
import { fileNameOwnersStatements } from "../../worker/db/publish-batch";
import * as schema from "../../worker/db/schema";

const db = drizzle(env.DB, { schema });

async function plan(statement: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql, params } = statement.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

const TABLE_SCAN = /^SCAN (pack_versions|release_artifacts|releases)\b(?! USING)/m;

describe("a publish's reads", () => {
  it("finds the artifacts already using a release's file or signature names from both name indexes", async () => {
    const [packs, installers] = fileNameOwnersStatements(db, ["a.zst", "a.zst.sig.bin", "b.iso"]);
    const packPlan = await plan(packs);
    expect(packPlan).not.toMatch(TABLE_SCAN);
    expect(packPlan).toMatch(/MULTI-INDEX OR/);
    expect(packPlan).toMatch(/pack_versions_file_name \(file_name=\?\)/);
    expect(packPlan).toMatch(/pack_versions_by_signature_file_name \(signature_file_name=\?\)/);
    const installerPlan = await plan(installers);
    expect(installerPlan).not.toMatch(TABLE_SCAN);
    expect(installerPlan).toMatch(/release_artifacts_by_signature_file_name \(signature_file_name=\?\)/);
  });

  it("stamps the rows a batch published or yanked from indexes that hold only those rows", async () => {
    const [packsPublished, packsYanked, installersPublished, installersYanked] = stampGenerations(db);
    expect(await plan(packsPublished)).toMatch(/pack_versions_by_published_generation \(published_generation=\?\)/);
    expect(await plan(installersPublished)).toMatch(
      /release_artifacts_by_published_generation \(published_generation=\?\)/,
    );
    // Not the yanked_generation index: read for IS NULL it holds every version never yanked.
    expect(await plan(packsYanked)).toMatch(/^SCAN pack_versions USING INDEX pack_versions_unstamped_yanks$/m);
    expect(await plan(installersYanked)).toMatch(
      /^SCAN release_artifacts USING INDEX release_artifacts_unstamped_yanks$/m,
    );
  });
});

describe("a download's reads", () => {
  it("finds the releases whose kept release.json it serves by id, not every published release", async () => {
    const lines = await plan(releasesByIdStatement(db, ["r1", "r2"]));
    expect(lines).toMatch(/SEARCH releases USING INDEX sqlite_autoindex_releases_1 \(id=\?\)/);
    expect(lines).not.toMatch(/releases_by_status/);
  });

  it("serves a kept release.json only while its release is published, the status checked in the Worker", async () => {
    const kept = {
      manifest_key: "releases/kept-lab/release.json",
      manifest_etag: "e1",
      manifest_signature_key: "releases/kept-lab/release.json.sig.bin",
      manifest_signature_etag: "e2",
    };
    const row = (id: string, status: string) =>
      env.DB.prepare(
        `INSERT INTO releases (id, status, run_id, claimed_at, manifest_key, manifest_etag, manifest_signature_key, manifest_signature_etag)
         VALUES (?, ?, 'run', 1, ?, ?, ?, ?)`,
      )
        .bind(
          id,
          status,
          kept.manifest_key,
          kept.manifest_etag,
          kept.manifest_signature_key,
          kept.manifest_signature_etag,
        )
        .run();
    await row("kept-lab-published", "published");
    await row("kept-lab-quarantined", "quarantined");
    const found = await findKeptManifests(db, ["kept-lab-published", "kept-lab-quarantined"]);
    expect(found.map((m) => m.releaseId)).toEqual(["kept-lab-published"]);
  });
});
