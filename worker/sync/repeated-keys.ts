// A repeated key in a signed JSON document. JSON.parse keeps the last value of a key an object
// repeats, while other readers keep the first (verify-bundle.sh's awk reader did) or fail: two
// readers of one signed release.json could then believe different files, sizes or release ids. So a
// signed document that repeats a key, at any depth, is refused by everyone who reads it: the sync,
// `release check`, `sign`, `push`, and verify-bundle.sh. The scan runs over text JSON.parse has
// already accepted, and decodes every key with JSON.parse itself, so a key is repeated exactly when
// JSON.parse would have dropped a value: "release\u0049d" is the key "releaseId".

/** The first key an object repeats, and the path (keys and array indexes) to that object. */
export type RepeatedKey = { key: string; path: (string | number)[] };

type Frame = { keys: Set<string>; at: string } | { keys: null; at: number };

/** The index of the quote that closes the JSON string opening at `start` (one after an even run of backslashes). */
function stringEnd(text: string, start: number): number {
  for (let i = text.indexOf('"', start + 1); i !== -1; i = text.indexOf('"', i + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return text.length;
}

const [QUOTE, BACKSLASH, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA, COLON] = [...'"\\{}[],:'].map((c) =>
  c.charCodeAt(0),
);

/**
 * The first repeated key of valid JSON text, or null. Only strings can hold braces, brackets, commas
 * or quotes that are not structure, and they are skipped whole (escapes included), so the rest of
 * the text is structure and literals.
 */
export function firstRepeatedKey(text: string): RepeatedKey | null {
  const frames: Frame[] = [];
  let top: Frame | undefined;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.keys && expectKey) {
        // Without a backslash the text between the quotes is the key; only escapes need decoding.
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return { key, path: frames.slice(0, -1).map((f) => f.at) };
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      top = c === OPEN_OBJECT ? { keys: new Set(), at: "" } : { keys: null, at: 0 };
      frames.push(top);
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
      top = frames.at(-1);
    } else if (c === COLON) expectKey = false;
    else if (c === COMMA && top) {
      if (top.keys) expectKey = true;
      else top.at++;
    }
  }
  return null;
}

const shown = (s: string) => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

/** The refusal of a document that repeats a key: `release.json repeats the key "sha256" in files.0`. */
export function repeatedKeyProblem(document: string, text: string): string | null {
  const repeated = firstRepeatedKey(text);
  return repeated ? repeatedKeyText(document, repeated) : null;
}

/** The refusal's words for a repeated key already found. */
export function repeatedKeyText(document: string, repeated: RepeatedKey): string {
  const path = repeated.path.map((p) => (typeof p === "number" ? p : shown(p).slice(1, -1))).join(".");
  return `${document} repeats the key ${shown(repeated.key)}${path ? ` in ${path}` : ""}`;
}
