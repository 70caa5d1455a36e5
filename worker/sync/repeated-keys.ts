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

/** The end (index of the closing quote) of the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}

/**
 * The first repeated key of valid JSON text, or null. Only strings can hold braces, brackets, commas
 * or quotes that are not structure, and they are skipped whole (escapes included), so the rest of
 * the text is structure and literals.
 */
export function firstRepeatedKey(text: string): RepeatedKey | null {
  const frames: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = frames.at(-1);
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.keys && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, path: frames.slice(0, -1).map((f) => f.at) };
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === "{") {
      frames.push({ keys: new Set(), at: "" });
      expectKey = true;
    } else if (c === ":") expectKey = false;
    else if (c === "[") frames.push({ keys: null, at: 0 });
    else if (c === "}" || c === "]") frames.pop();
    else if (c === "," && top) {
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
  if (!repeated) return null;
  const path = repeated.path.map((p) => (typeof p === "number" ? p : shown(p).slice(1, -1))).join(".");
  return `${document} repeats the key ${shown(repeated.key)}${path ? ` in ${path}` : ""}`;
}
