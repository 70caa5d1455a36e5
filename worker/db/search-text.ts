// Turns what a user types into the search box into an FTS5 MATCH expression that cannot fail.
// FTS5 gives quotes, `*`, `^`, `:`, parentheses and AND/OR/NOT/NEAR a meaning, and a stray one is a
// syntax error, so user text is never passed through: it is cut into the same word tokens the
// unicode61 tokenizer indexes, each quoted as a string and prefix-matched. Also how a search reads its
// matches in display order (matchesInDisplayOrder).
import { type SQL, sql } from "drizzle-orm";

const MAX_TOKENS = 12;

/** The word tokens of `text` that a search matches, as unicode61 cuts them. */
const searchTokens = (text: string | undefined) =>
  (text ?? "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_TOKENS);

/** The MATCH expression for `text`, or undefined when it holds nothing searchable. */
export function ftsQuery(text: string | undefined): string | undefined {
  const tokens = searchTokens(text);
  if (!tokens.length) return undefined;
  // Every token is letters and digits only, so wrapping it in quotes needs no escaping.
  return tokens.map((token) => `"${token}"*`).join(" ");
}

/** A rank past every pack's: the ordered index read from past its end holds nothing. */
const PAST_EVERY_RANK = sql.raw("9223372036854775807");

/**
 * The full-text matches of `match` as packs on `p`, in display order: the index whose rowids are the
 * packs' display ranks (pack_search_ordered, migration 0019) hands its matches over in rowid order,
 * so a query ordered by `matched.rowid` stops at its LIMIT having read the matches it lists and those
 * its other conditions turn away, never the catalog. `after` (a sort key, exclusive) and `upTo`
 * (inclusive; NULL runs to the end) become the ranks the index starts and stops at.
 */
export function matchesInDisplayOrder(match: string, { after, upTo }: { after?: SQL; upTo?: SQL } = {}) {
  const bounds = [
    ...(after
      ? [
          sql`matched.rowid >= coalesce((SELECT display_rank FROM packs WHERE display_sort_key > ${after} ORDER BY display_sort_key LIMIT 1), ${PAST_EVERY_RANK})`,
        ]
      : []),
    ...(upTo
      ? [
          sql`matched.rowid <= coalesce((SELECT display_rank FROM packs WHERE display_sort_key <= coalesce(${upTo}, char(1114111)) ORDER BY display_sort_key DESC LIMIT 1), -${PAST_EVERY_RANK})`,
        ]
      : []),
  ];
  return {
    from: sql`pack_search_ordered matched CROSS JOIN packs p ON p.display_rank = matched.rowid`,
    conditions: [sql`pack_search_ordered MATCH ${match}`, ...bounds],
    order: sql`matched.rowid`,
  };
}
