// Turns what a user types into the search box into an FTS5 MATCH expression that cannot fail.
// FTS5 gives quotes, `*`, `^`, `:`, parentheses and AND/OR/NOT/NEAR a meaning, and a stray one is a
// syntax error, so user text is never passed through: it is cut into the same word tokens the
// unicode61 tokenizer indexes, each quoted as a string and prefix-matched.

const MAX_TOKENS = 12;

/** The MATCH expression for `text`, or undefined when it holds nothing searchable. */
export function ftsQuery(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const tokens = text
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_TOKENS);
  if (!tokens.length) return undefined;
  // Every token is letters and digits only, so wrapping it in quotes needs no escaping.
  return tokens.map((token) => `"${token}"*`).join(" ");
}

/**
 * From how many full-text matches a search's page (and a searched wizard step) walks the packs in
 * display order, looking each up, instead of sorting its matches.
 */
export const WALK_FROM_MATCHES = 500;
