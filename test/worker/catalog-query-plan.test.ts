// The browse queries run in indexes: EXPLAIN QUERY PLAN for the page and count statements shows
// each active filter's index in use and no full scan of any per-version table (those grow with
// every release; the packs table, one row per pack, may be walked in display order for paging, from
// its display-order indexes, with no sort of the page).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toQuery } from "../../worker/db/batch";
import { type LayerRange, versionsInLayerStatement } from "../../worker/db/layer-candidates";
import { pageStatement } from "../../worker/db/pack-page";
import { type CatalogFilter, versionsOfStatement } from "../../worker/db/pack-versions";
import { productVersionCountsStatement, searchCountsStatement } from "../../worker/db/counts/search-counts";
import { ftsQuery } from "../../worker/db/search-text";
import type { PackFilters } from "../../worker/catalog/filters";
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../worker/db/schema";
import { comboCountsStatement, facetCountStatements, productComboCountsStatement } from "../../worker/db/counts/facets";

async function plan(statement: SQL | { sql: string; params: unknown[] }): Promise<string[]> {
  const q = "params" in statement && typeof statement.sql === "string" ? statement : toQuery(statement as SQL);
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
    .bind(...q.params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** The statement counts/pack-counts.ts counts a searched or versioned filter with. */
const countsStatement = (f: CatalogFilter) =>
  f.product && f.version
    ? productVersionCountsStatement({ ...f, product: f.product, version: f.version }, ftsQuery(f.q))
    : searchCountsStatement({ ...f, version: undefined }, ftsQuery(f.q) ?? "");

/** A catalog filter as /api/v1/packs would pass it (the parsed query is one as it comes). */
const filterOf = (f: CatalogFilter): CatalogFilter => f;

const FULL_SCAN_OF_VERSION_TABLES = /^SCAN (pv|c|u|a|x|pack_versions|pack_version_\w+|pack_dependencies)\b(?! VIRTUAL)/;

// The page walk checks each version it meets through the child table's primary key, so it reads
// rows in proportion to the page, never a value's whole list.
const INDEX_FOR: [keyof PackFilters, unknown, RegExp][] = [
  ["cloud", "aws", /pack_version_clouds_1 \(pack_version_id=\? AND cloud=\?\)/],
  ["arch", "arm64", /pack_version_arches_1 \(pack_version_id=\? AND arch=\?\)/],
  ["useCase", "agent", /pack_version_use_cases_1 \(pack_version_id=\? AND use_case=\?\)/],
  ["product", "palette-vertex", /pack_version_products_1 \(pack_version_id=\? AND product_id=\?\)/],
  ["layer", "cni", /packs_by_layer_display \(layer=\?/],
  ["q", "calico", /SCAN matched VIRTUAL TABLE INDEX \d+:M/],
  ["fips", true, /pack_versions_by_(fips|pack) \(/],
];

const everything = {
  product: "palette-enterprise",
  version: "4.6.12",
  cloud: "aws",
  arch: "arm64",
  fips: true,
  useCase: "controller",
  layer: "k8s",
  q: "kube",
} as const;

describe("query plans", () => {
  it.each(INDEX_FOR)("a %s filter is checked through its index in the page query", async (name, value, index) => {
    const lines = await plan(pageStatement(filterOf({ [name]: value }), undefined, 24));
    expect(
      lines.some((l) => index.test(l)),
      lines.join("\n"),
    ).toBe(true);
  });

  it("uses every filter's index at once when all are active", async () => {
    const lines = await plan(pageStatement(filterOf(everything), "a", 24));
    // Search text starts the walk from its matches, each joined to its pack by its display rank: the
    // layer is then checked on that row, not walked in its index.
    expect(lines.join("\n")).toMatch(/SEARCH p USING INDEX packs_by_display_rank \(display_rank=\?\)/);
    for (const [, , index] of INDEX_FOR.filter(([name]) => name !== "layer"))
      expect(
        lines.some((l) => index.test(l)),
        `${index}\n${lines.join("\n")}`,
      ).toBe(true);
  });

  it.each([
    {},
    { cloud: "aws" },
    { layer: "addon", fips: false },
    { product: "palette-vertex", version: "4.6.12" },
    everything,
  ] as Partial<PackFilters>[])("never scans a per-version table for %j", async (filters) => {
    const f = filterOf(filters);
    const active = Object.keys(filters);
    // Without search text or a product version the counts come from the kept table (tested below).
    const counted = "q" in filters || "version" in filters;
    const checks: [string, SQL, string[]][] = [
      ["page", pageStatement(f, undefined, 24), active],
      ...(counted ? [["counts", countsStatement(f), active] as [string, SQL, string[]]] : []),
    ];
    for (const [name, statement, applied] of checks) {
      const lines = await plan(statement);
      const scans = lines.filter((l) => FULL_SCAN_OF_VERSION_TABLES.test(l));
      // With nothing to narrow by, a count must read everything: one walk of the driving table.
      const allowed = applied.length ? 0 : 1;
      expect(scans.length, `${name}:\n${lines.join("\n")}`).toBeLessThanOrEqual(allowed);
    }
  });

  it("binds well under D1's 100 parameters a statement, with every filter at once", () => {
    const { version: _version, ...everythingButVersion } = everything;
    for (const filters of [everything, everythingButVersion] as Partial<PackFilters>[]) {
      const f = filterOf(filters);
      for (const statement of [pageStatement(f, "a", 24), countsStatement(f)])
        expect(toQuery(statement).params.length, JSON.stringify(filters)).toBeLessThanOrEqual(30);
    }
  });

  it("counts a search in one pass over its full-text matches' kept profiles, reading neither packs nor versions", async () => {
    const lines = await plan(
      countsStatement(filterOf({ q: "monitoring", cloud: "aws", product: "palette-vertex", fips: true })),
    );
    const text = lines.join("\n");
    expect(text).toMatch(/pack_search VIRTUAL TABLE INDEX \d+:M/);
    expect(text).toMatch(/SEARCH s USING PRIMARY KEY \(pack_rowid=\?\)/);
    // The profiles arrive in the index's rowid order, so grouping them per pack needs no sort.
    expect(text).not.toMatch(/TEMP B-TREE FOR GROUP BY/);
    expect(
      lines.filter((l) => /\b(p|packs|pv|pack_versions|pack_version_\w+)\b/.test(l) || /^SCAN s\b/.test(l)),
      text,
    ).toEqual([]);
  });

  it("counts search text alone, or with a layer, from one kept summary a match", async () => {
    for (const filters of [{ q: "monitoring" }, { q: "monitoring", layer: "addon" }] as Partial<PackFilters>[]) {
      const lines = await plan(countsStatement(filterOf(filters)));
      const text = lines.join("\n");
      expect(text).toMatch(/pack_search VIRTUAL TABLE INDEX \d+:M/);
      expect(text).toMatch(/SEARCH u USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(text).not.toMatch(/pack_facet_profiles|\b(p|packs|pv|pack_versions)\b/);
    }
  });

  it("counts a searched product version from its matches' kept ranges, reading no version", async () => {
    const f = filterOf({ q: "monitoring", product: "palette-vertex", version: "4.6.12" });
    const lines = await plan(
      productVersionCountsStatement({ ...f, product: f.product!, version: f.version! }, ftsQuery(f.q)),
    );
    const text = lines.join("\n");
    expect(text).toMatch(/SEARCH x USING PRIMARY KEY \(pack_rowid=\? AND product_id=\?\)/);
    expect(text).not.toMatch(/TEMP B-TREE FOR GROUP BY/);
    expect(
      lines.filter((l) => /\b(p|packs|pv|pack_versions|pack_version_\w+)\b/.test(l)),
      text,
    ).toEqual([]);
  });

  it("counts a product version without search text from one kept row a count, found by its interval and bits", async () => {
    const f = filterOf({ product: "palette-vertex", version: "4.6.12", cloud: "aws", fips: true });
    const lines = await plan(
      productVersionCountsStatement({ ...f, product: f.product!, version: f.version! }, ftsQuery(f.q)),
    );
    const text = lines.join("\n");
    expect(text).toMatch(/SEARCH product_version_intervals USING PRIMARY KEY \(product_id=\? AND from_key<\?\)/);
    const seeks = lines.filter((l) =>
      /SEARCH c USING PRIMARY KEY \(product_id=\? AND from_key=\? AND bits=\?\)/.test(l),
    );
    expect(seeks.length, text).toBe(20);
    expect(
      lines.filter((l) =>
        /^SCAN (c|product_version_\w+)\b|pack_product_ranges|\b(x|p|packs|pv|pack_versions)\b/.test(l),
      ),
      text,
    ).toEqual([]);
  });

  // Search text is the exception: its matches are one list (FTS5's), as long as the matches.
  const { q: _search, ...everythingButSearch } = everything;
  it.each([{}, { cloud: "aws" }, everythingButSearch] as Partial<PackFilters>[])(
    "reads a page for %j without a value's whole list and without walking the catalog again for its rows",
    async (filters) => {
      const lines = await plan(pageStatement(filterOf(filters), undefined, 24));
      expect(
        lines.filter((l) => /LIST SUBQUERY|AUTOMATIC/.test(l)),
        lines.join("\n"),
      ).toEqual([]);
      // The page's rows start from the page: one walk of packs by name (the CTE), then lookups.
      expect(lines.filter((l) => /^SCAN (p|pv)\b/.test(l)).length, lines.join("\n")).toBeLessThanOrEqual(1);
    },
  );

  it.each([
    [{ q: "monitoring" }, undefined],
    [{ q: "calico" }, undefined],
    [{ q: "calico", cloud: "aws" }, "cert manager\u0001cert-manager"],
  ] as [Partial<PackFilters>, string | undefined][])(
    "reads a search's matches (%j after %j) in display order from the ordered index, each pack by its rank, sorting none",
    async (filters, after) => {
      const statement = toQuery(pageStatement(filterOf(filters), after, 24));
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
        .bind(...statement.params)
        .all<{ id: number; parent: number; detail: string }>();
      const text = results.map((r) => r.detail).join("\n");
      const page = results.find((r) => r.detail === "CO-ROUTINE page");
      expect(page, text).toBeDefined();
      const inPage = (r: { parent: number }): boolean =>
        r.parent === page!.id || results.some((up) => up.id === r.parent && up.id !== 0 && inPage(up));
      const pageLines = results.filter(inPage).map((r) => r.detail);
      // The matches in rowid order (a cursor's rank as the index's lower bound: ">"), then each pack by
      // its rank and its profile; nothing sorted, nothing scanned but the index's matches.
      expect(pageLines[0], text).toMatch(
        after ? /^SCAN matched VIRTUAL TABLE INDEX \d+:M\d*>$/ : /^SCAN matched VIRTUAL TABLE INDEX \d+:M\d*$/,
      );
      expect(pageLines, text).toContain("SEARCH p USING INDEX packs_by_display_rank (display_rank=?)");
      expect(
        pageLines.filter((d) => /TEMP B-TREE|^SCAN (?!matched)/.test(d)),
        text,
      ).toEqual([]);
      expect(text).toMatch(/SEARCH (u|s|x) EXISTS USING/);
    },
  );

  it.each([{}, { layer: "cni" }, { cloud: "aws", fips: false }, { q: "calico" }] as Partial<PackFilters>[])(
    "lists a page for %j in display order from its index, sorting nothing but each pack's versions",
    async (filters) => {
      const lines = await plan(pageStatement(filterOf(filters), "cert manager\u0001cert-manager", 24));
      const text = lines.join("\n");
      // A search's page sorts its packs' versions only, outside the page (tested above).
      if (!("q" in filters)) expect(text).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      expect(text).toMatch(/INDEX packs_by_(layer_)?display \((layer=\? AND )?display_sort_key>\?\)/);
    },
  );

  it("reads one pack's versions and one layer through their indexes", async () => {
    expect(await plan(versionsOfStatement("kubernetes"))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/SEARCH pv USING INDEX pack_versions_by_pack \(pack_name=\? AND yanked=\?\)/),
      ]),
    );
    expect(await plan(versionsInLayerStatement("k8s"))).toEqual(
      expect.arrayContaining([expect.stringMatching(/packs_by_layer_display \(layer=\?\)/)]),
    );
  });
});

describe("query plans of the kept facet counts and the compatibility pages", () => {
  const combo: CatalogFilter = { product: "palette-enterprise", cloud: "aws", arch: "amd64", fips: true };

  it("looks every combination up by its primary key", async () => {
    for (const statement of [
      comboCountsStatement([combo, { ...combo, cloud: "gcp" }]),
      productComboCountsStatement(combo),
    ]) {
      const lines = await plan(statement);
      expect(lines.join("\n")).toMatch(
        /SEARCH c USING PRIMARY KEY \(product=\? AND use_case=\? AND cloud=\? AND layer=\? AND arch=\? AND fips=\?\)/,
      );
      expect(lines.filter((l) => /^SCAN c\b/.test(l))).toEqual([]);
    }
  });

  it("updates the counts of a publish or yank from the touched packs' kept profiles and versions alone", async () => {
    const db = drizzle(env.DB, { schema });
    for (const [statement] of [
      facetCountStatements(db, { packs: ["cni-calico", "kubernetes"] }),
      facetCountStatements(db, { packs: ["kubernetes"] }),
    ]) {
      const lines = await plan((statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL());
      const text = lines.join("\n");
      expect(
        lines.filter((l) => FULL_SCAN_OF_VERSION_TABLES.test(l) || /^SCAN (s|pack_facet_\w+)\b(?! VIRTUAL)/.test(l)),
        text,
      ).toEqual([]);
      expect(text).toMatch(/SEARCH s USING PRIMARY KEY \(pack_rowid=\?\)/);
      expect(text).toMatch(/SEARCH pv USING INDEX pack_versions_(by_pack|name_version) \(pack_name=\?/);
    }
  });

  it("keeps the product version counts from the touched packs' ranges, versions and the intervals they span, by their keys", async () => {
    const db = drizzle(env.DB, { schema });
    const statements = facetCountStatements(db, { packs: ["cni-calico", "kubernetes"] });
    const texts: string[] = [];
    for (const statement of statements) {
      const { sql: text, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
      if (!/product_version_(counts|intervals)/.test(text)) continue;
      const lines = await plan({ sql: text, params });
      texts.push(lines.join("\n"));
      // Constant lists (json_each) and the statement's own materialized sets may be walked; no kept table may.
      expect(
        lines.filter(
          (l) =>
            /^SCAN (x|b|c|product_version_\w+|pack_product_ranges)\b(?! VIRTUAL)/.test(l) ||
            FULL_SCAN_OF_VERSION_TABLES.test(l),
        ),
        texts.at(-1),
      ).toEqual([]);
    }
    // Cut (copy, then the new intervals), apply the difference, drop: the kept ranges by pack, the
    // intervals by product and key, the emptied rows by their index.
    expect(texts.length).toBe(4);
    expect(texts.join("\n")).toMatch(/SEARCH x USING PRIMARY KEY \(pack_rowid=\?\)/);
    expect(texts.join("\n")).toMatch(/SEARCH pv USING INDEX pack_versions_by_pack \(pack_name=\? AND yanked=\?\)/);
    expect(texts.join("\n")).toMatch(/SEARCH b USING PRIMARY KEY \(product_id=\? AND from_key>\? AND from_key<\?\)/);
    expect(texts.at(-1)).toMatch(/USING COVERING INDEX product_version_counts_emptied \(n=\?\)/);
  });

  it("finds a key incident's versions through the key and release indexes, counts and profiles alike", async () => {
    const db = drizzle(env.DB, { schema });
    const statements = facetCountStatements(db, { signedUnder: "leaked" });
    expect(statements.length).toBeGreaterThan(2);
    for (const statement of statements) {
      const lines = await plan((statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL());
      const text = lines.join("\n");
      expect(
        lines.filter(
          (l) => /^SCAN (k|pv|pack_versions|releases)\b(?! VIRTUAL)/.test(l) || FULL_SCAN_OF_VERSION_TABLES.test(l),
        ),
        text,
      ).toEqual([]);
      if (/\bk\b/.test(text)) expect(text).toMatch(/SEARCH k USING INDEX pack_versions_by_release \(release_id=\?\)/);
    }
  });

  const layerPage = (words: string[]): LayerRange => ({
    filter: { product: "palette-enterprise", version: "4.7.3", useCase: "controller", cloud: "aws", arch: "amd64" },
    fipsRule: { product: "palette-enterprise", asked: false },
    after: "a",
    offset: 20,
    limit: 20,
    words,
  });

  it("walks one stretch of a layer in its index for a compatibility page", async () => {
    const lines = await plan(versionsInLayerStatement("addon", layerPage([])));
    const text = lines.join("\n");
    expect(
      lines.filter((l) => FULL_SCAN_OF_VERSION_TABLES.test(l)),
      text,
    ).toEqual([]);
    expect(text).toMatch(/SEARCH p USING (COVERING )?INDEX packs_by_layer_display \(layer=\? AND display_sort_key>\?/);
    // The walk is in display order already: nothing is sorted on the way.
    expect(text).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    // Where the stretch ends is found once, from each walked pack's kept product ranges (a row or
    // two a pack), not by looking up its versions and their child lists.
    expect(text).toMatch(/SEARCH x EXISTS USING PRIMARY KEY \(pack_rowid=\? AND product_id=\?\)/);
    expect(text).not.toMatch(/SEARCH pv EXISTS/);
    expect(text.match(/MATERIALIZE candidates/g)).toHaveLength(1);
    // The stretch's versions are read between both ends, not from its start to the layer's end.
    expect(lines[0], text).toMatch(
      /SEARCH p USING INDEX packs_by_layer_display \(layer=\? AND display_sort_key>\? AND display_sort_key<\?\)/,
    );
  });

  it("leads a searched compatibility page by the first word's matches in display order, from the cursor's rank to the stretch's end", async () => {
    const range = layerPage(["monitor", "cobalt"]);
    const lines = await plan(versionsInLayerStatement("addon", range));
    const text = lines.join("\n");
    expect(
      lines.filter((l) => FULL_SCAN_OF_VERSION_TABLES.test(l) || /^SCAN (p|packs)\b/.test(l)),
      text,
    ).toEqual([]);
    // The page's candidates are found once, for both ends and the count.
    expect(text.match(/MATERIALIZE candidates/g)).toHaveLength(1);
    // The candidates: the first word's matches from the cursor's rank on (">"), each pack by its rank,
    // the other word looked up by rowid, then the pack's kept ranges, until the page is full.
    expect(text).toMatch(
      /SCAN matched VIRTUAL TABLE INDEX \d+:M\d*>\n(.*\n)*?SEARCH p USING INDEX packs_by_display_rank \(display_rank=\?\)\n(.*\n)*?SCAN pack_search EXISTS VIRTUAL TABLE INDEX \d+:=M(.*\n)*?SEARCH x EXISTS/,
    );
    // The stretch's versions: the matches between its two ends' ranks ("><"), by rowid.
    expect(text).toMatch(/SCAN matched VIRTUAL TABLE INDEX \d+:M\d*></);
    expect(text).toMatch(
      /SCAN member\nSEARCH p USING INTEGER PRIMARY KEY \(rowid=\?\)\nSEARCH pv USING INDEX pack_versions_by_pack/,
    );
  });

  it("walks every layer in display order for add-on only's page, and a layer a word names in that layer's order", async () => {
    const unsearched = await plan(
      versionsInLayerStatement("every", {
        filter: { product: "palette-enterprise" },
        after: "a",
        offset: 0,
        limit: 20,
        words: [],
      }),
    );
    expect(unsearched.join("\n")).toMatch(/SEARCH p USING (COVERING )?INDEX packs_by_display \(display_sort_key>\?\)/);
    expect(unsearched.join("\n")).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    const range: LayerRange = {
      filter: { product: "palette-enterprise", version: "4.7.3", cloud: "aws" },
      after: "a",
      offset: 20,
      limit: 20,
      words: ["network"],
      layerNames: { cni: "Network", csi: "Storage" },
    };
    {
      const lines = await plan(versionsInLayerStatement("every", range));
      // Nor an index built on the fly over every version (SQLite's automatic index, as it chose
      // without a layer to narrow the walk): each pack's versions come from pack_versions_by_pack.
      // (The one Bloom filter allowed is over the page's few candidate packs, which decide whose
      // details are read.)
      const candidateList = lines.findIndex(
        (l, i) => l === "SCAN candidates" && lines[i + 1] === "CREATE BLOOM FILTER",
      );
      expect(
        lines.filter(
          (l, i) => FULL_SCAN_OF_VERSION_TABLES.test(l) || (/AUTOMATIC|BLOOM/.test(l) && i !== candidateList + 1),
        ),
        lines.join("\n"),
      ).toEqual([]);
      const text = lines.join("\n");
      // "network" also names the CNI layer: its full-text matches in display order, each pack by its
      // rank, and that layer's packs walked in its display order (the page's packs, not a list of the
      // whole layer); never every layer's packs walked.
      expect(text).toMatch(
        /SCAN matched VIRTUAL TABLE INDEX \d+:M\d*>\n(.*\n)*?SEARCH p USING INDEX packs_by_display_rank \(display_rank=\?\)/,
      );
      expect(text).toMatch(
        /SEARCH p USING (COVERING )?INDEX packs_by_layer_display \(layer=\? AND display_sort_key>\?\)/,
      );
      expect(text).not.toMatch(/packs_by_layer(_display)? \(layer=\?\)/);
      expect(text).not.toMatch(/SEARCH p USING (COVERING )?INDEX packs_by_display \(display_sort_key>\?\)/);
    }
  });
});
