// The order people read lists in: by display name, ignoring case and accents ("Émile" sits with
// "emile", "AWS VPC CNI" before "Cert Manager" whatever the internal names say). SQLite cannot
// fold beyond ASCII, so the key is computed here and stored (packs.display_sort_key); every listing
// walks its index, and this one function is the only writer of its text.

/** Longest folded display name kept in a key (display names are at most 120 characters). */
export const SORT_KEY_MAX = 120;

/** Between the folded name and the internal name: sorts before every character a folded name keeps. */
export const SORT_KEY_SEPARATOR = "\u0001";

/**
 * A display name folded for ordering: compatibility-decomposed (NFKD, so "ﬁ" is "fi" and "é" is
 * "e" plus a combining accent), combining marks dropped, case-folded (upper then lower, so "ß" and
 * "SS" agree), runs of white space (tabs, new lines) as one space, other control characters dropped, trimmed.
 */
export function foldDisplayName(displayName: string): string {
  return displayName
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toUpperCase()
    .toLowerCase()
    .replace(/\s+/gu, " ")
    .replace(/\p{Cc}+/gu, "")
    .slice(0, SORT_KEY_MAX)
    .trim();
}

/**
 * A pack's place in every list: its folded display name, then its internal name, so the order is
 * total (two packs may share a display name, never a name) and one text comparison pages by it.
 */
export const displaySortKey = (displayName: string, name: string): string =>
  joinSortKey(foldDisplayName(displayName), name);

/** A sort key from its parts (a cursor carries them apart). */
export const joinSortKey = (folded: string, name: string): string => `${folded}${SORT_KEY_SEPARATOR}${name}`;

/** A sort key back into its parts, or undefined when it is not one displaySortKey could write. */
export function splitSortKey(key: string): { folded: string; name: string } | undefined {
  const at = key.lastIndexOf(SORT_KEY_SEPARATOR);
  if (at < 0) return undefined;
  return { folded: key.slice(0, at), name: key.slice(at + 1) };
}

/**
 * Two sort keys in the order SQLite's BINARY collation gives them (UTF-8 bytes, which is code point
 * order), where JavaScript's `<` compares UTF-16 code units and puts an emoji (a surrogate pair,
 * U+D800 and up) before U+E000–U+FFFF.
 */
export function compareSortKeys(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}
