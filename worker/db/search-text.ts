// Turns what a user types into the search box into an FTS5 MATCH expression that cannot fail.
// FTS5 gives quotes, `*`, `^`, `:`, parentheses and AND/OR/NOT/NEAR a meaning, and a stray one is a
// syntax error, so user text is never passed through: it is cut into the same word tokens the
// unicode61 tokenizer indexes, each quoted as a string and prefix-matched. Also how a search's page
// chooses between sorting its matches and walking the packs in display order (walkBeatsSort).
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

/** The text the full-text index holds for the pack on `alias` (its four columns). */
const searchedText = (alias: string) => {
  const column = (name: string) => sql.raw(`coalesce(${alias}.${name}, '')`);
  return sql`${column("name")} || ' ' || ${column("display_name")} || ' ' || ${column("description")} || ' ' || ${column("addon_type")}`;
};

/**
 * Whether the pack on `alias` holds `text`'s words: a full-text lookup by rowid, behind a test that
 * must pass for the lookup to match, so a walk pays the lookup (tens of µs, most of a search page's
 * D1 time) only for packs that may hold the words. For text that is all ASCII, each ASCII
 * word occurs in its lower case: unicode61 folds ASCII case as lower() does, and a word is a prefix
 * of a token (tabs, line ends and other ASCII controls separate tokens, as spaces do). Any other
 * character in the text (accents, which unicode61 folds; a NUL) goes straight to the lookup, as do
 * words with one; so the answer is always the lookup's.
 */
export function holdsWords(text: string, alias: string): SQL {
  const match = ftsQuery(text) ?? "";
  const lookup = sql`EXISTS (SELECT 1 FROM pack_search WHERE pack_search MATCH ${match} AND pack_search.rowid = ${sql.raw(alias)}.rowid)`;
  const asciiWords = [
    ...new Set(
      searchTokens(text)
        .filter((t) => /^[A-Za-z0-9]+$/.test(t))
        .map((t) => t.toLowerCase()),
    ),
  ];
  if (!asciiWords.length) return lookup;
  const lowered = sql`lower(${searchedText(alias)})`;
  const holdsEach = sql.join(
    asciiWords.map((word) => sql`instr(${lowered}, ${word}) > 0`),
    sql` AND `,
  );
  // Any byte past ASCII (UTF-8 takes two or more for every other character) or a NUL (text length
  // stops at it; GLOB would too) makes the text longer in bytes than in characters.
  const otherThanAscii = sql`length(CAST(${searchedText(alias)} AS BLOB)) <> length(${searchedText(alias)})`;
  return sql`((${holdsEach}) OR ${otherThanAscii}) AND ${lookup}`;
}

/**
 * Full-text matches counted at most to choose a search page's way (a count is a row a match): from
 * this many on, the walk. The estimate below decides exactly up to about 14,000 packs
 * (300² × 4 / 25); beyond, a word with 300 to √(pageSize × packs / 4) matches walks where sorting
 * would read fewer rows, at most about twice as many (at 40,000 packs: 3,300 against 1,200).
 */
export const WALK_FROM_MATCHES = 300;

/**
 * D1 rows a match costs when a page sorts the matches (the match, its pack, the sort: about 4; the
 * kept summary or profiles are read for the page's packs only), against about one a pack when it
 * walks the display-order index instead (measured on the bench's catalogs).
 */
const SORTED_MATCH_ROWS = 4;

/**
 * One row, `many`: 1 when walking the packs in display order (looking each up in the full-text index)
 * should read fewer rows than sorting the matches, for a page of `pageSize` packs. With n matches
 * spread over N packs the walk passes about pageSize × N / n packs and the sort reads
 * SORTED_MATCH_ROWS × n rows, so the walk wins from n² × SORTED_MATCH_ROWS ≥ pageSize × N. The
 * matches are counted up to WALK_FROM_MATCHES only; the packs' largest rowid stands for N (an upper
 * bound, which leans to sorting). Rows, not time: each pack walked is a full-text lookup, which
 * costs more time than a sorted match (docs/benchmarks.md).
 */
export const walkBeatsSort = (match: string, pageSize: number) =>
  sql`SELECT n >= ${WALK_FROM_MATCHES} OR n * n * ${SORTED_MATCH_ROWS} >= ${pageSize} * (SELECT coalesce(max(rowid), 0) FROM packs) AS many
    FROM (SELECT count(*) AS n FROM (SELECT 1 FROM pack_search WHERE pack_search MATCH ${match} LIMIT ${WALK_FROM_MATCHES}))`;
