// A page of the pack catalog: the packs (in display order, after a cursor) with their matching versions,
// and the total and facet counts for the same filter, as one D1 batch (one round trip). Which
// counts answer depends on the filter (counts/pack-counts.ts chooses); readPackPage is the one
// call the catalog makes.
import { type SQL, sql } from "drizzle-orm";
import { query, runBatch } from "./batch";
import type { Db } from "./client";
import { type Facets, packCounts } from "./counts/pack-counts";
import { hasMatchingProfile } from "./counts/profile-match";
import {
  and,
  type CatalogFilter,
  groupByPack,
  hasMatchingVersion,
  type PackWithVersions,
  type VersionRow,
  versionColumns,
  versionConditions,
} from "./pack-versions";
import { ftsQuery, matchesInDisplayOrder } from "./search-text";

/** A page row: a version's columns and its pack's place in the list (the next page's cursor). */
export type PageRow = VersionRow & { sortKey: string };

/**
 * One page of packs (in display order, after the sort key `after`: domain/display-sort.ts), with
 * every version of each that matches; `limit + 1` packs tell whether more follow. The walk follows
 * the display-order index and checks each version by lookups, and the page's rows are joined in a
 * fixed order (CROSS JOIN), so the rows read follow the page, not the catalog.
 */
export function pageStatement(f: CatalogFilter, after: string | undefined, limit: number) {
  const match = ftsQuery(f.q);
  const conditions = [
    ...(f.layer ? [sql`p.layer = ${f.layer}`] : []),
    ...(after ? [sql`p.display_sort_key > ${after}`] : []),
  ];
  const page = match
    ? searchPage(match, conditions, hasMatchingProfile(f), after, limit + 1)
    : sql`SELECT p.name, p.display_sort_key FROM packs p WHERE ${and([...conditions, hasMatchingVersion(f, undefined, "lookup")])}
        ORDER BY p.display_sort_key LIMIT ${limit + 1}`;
  return query<PageRow>(sql`WITH page AS (${page})
    SELECT ${versionColumns}, page.display_sort_key AS sortKey
    FROM page CROSS JOIN packs p ON p.name = page.name CROSS JOIN pack_versions pv ON pv.pack_name = p.name
    WHERE ${and(versionConditions(f, undefined, "lookup"))}
    ORDER BY page.display_sort_key, pv.version_key DESC`);
}

/**
 * The names of a search's page: the full-text matches in display order (matchesInDisplayOrder), each
 * checked until the page is full, so the rows read follow the page and how many matches the filters
 * turn away, never the catalog or the matches before the cursor.
 */
function searchPage(
  match: string,
  conditions: SQL[],
  profileCheck: SQL,
  after: string | undefined,
  limit: number,
): SQL {
  const matched = matchesInDisplayOrder(match, { after: after === undefined ? undefined : sql`${after}` });
  return sql`SELECT p.name, p.display_sort_key FROM ${matched.from}
    WHERE ${and([...matched.conditions, ...conditions, profileCheck])}
    ORDER BY ${matched.order} LIMIT ${limit}`;
}

/**
 * `nextAfter`: the sort key of the page's last pack when more follow (the next page starts after it),
 * else null. `exact`: false when a search's total and facets are lower bounds (counts/search-counts.ts).
 */
export type PackPage = {
  packs: PackWithVersions[];
  total: number;
  facets: Facets;
  exact: boolean;
  nextAfter: string | null;
};

/** The packs of one page (at most `limit`), where the next starts, and the filter's total and facets. */
export async function readPackPage(
  db: Db,
  f: CatalogFilter,
  after: string | undefined,
  limit: number,
): Promise<PackPage> {
  const counts = packCounts(f);
  const [pageRows, ...countRows] = await runBatch(db, [pageStatement(f, after, limit), ...counts.statements]);
  const packs = groupByPack(pageRows);
  const last = packs.length > limit ? packs[limit - 1].name : undefined;
  const nextAfter = last === undefined ? null : pageRows.find((row) => row.name === last)!.sortKey;
  return { packs: packs.slice(0, limit), nextAfter, ...counts.read(countRows) };
}

/** The first pack in display order with its versions, without counts (a real file name for examples). */
export async function readFirstPack(db: Db): Promise<PackWithVersions | undefined> {
  const [rows] = await runBatch(db, [pageStatement({}, undefined, 1)]);
  return groupByPack(rows)[0];
}
