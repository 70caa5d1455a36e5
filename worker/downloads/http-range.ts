// HTTP semantics of an immutable file: a single byte Range, If-Range, and the conditional requests
// that let a client skip a download it already has. Pure functions over headers.

export type RangeDecision =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * One range of "bytes=a-b", "bytes=a-" or "bytes=-n". Several ranges, other units or syntax we do
 * not understand are ignored (RFC 9110 allows serving the whole file instead).
 */
export function parseRange(header: string | null, size: number): RangeDecision {
  if (!header) return { kind: "full" };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    if (suffix >= size) return { kind: "full" };
    return { kind: "partial", start: size - suffix, end: size - 1 };
  }
  const start = Number(m[1]);
  if (start >= size) return { kind: "unsatisfiable" };
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (end < start) return { kind: "full" }; // syntactically invalid: ignore it
  if (start === 0 && end === size - 1) return { kind: "full" };
  return { kind: "partial", start, end };
}

const etagList = (header: string) => header.split(",").map((t) => t.trim().replace(/^W\//, ""));

/** Whether the client's copy is current: If-None-Match wins; If-Modified-Since only without it. */
export function isNotModified(headers: Headers, etag: string, lastModifiedMs: number): boolean {
  const inm = headers.get("If-None-Match");
  if (inm !== null) return inm.trim() === "*" || etagList(inm).includes(etag);
  const ims = headers.get("If-Modified-Since");
  if (ims === null) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}

/**
 * If-Range: the Range applies only if the client's validator still names this file: the strong
 * ETag, or a date that is exactly the Last-Modified (RFC 9110 13.1.5: any other date, earlier or
 * later, means the client's copy may be another version, so it gets the whole file).
 */
export function rangeStillValid(headers: Headers, etag: string, lastModifiedMs: number): boolean {
  const ifRange = headers.get("If-Range");
  if (ifRange === null) return true;
  if (ifRange.startsWith('"')) return ifRange === etag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(lastModifiedMs / 1000) * 1000 === date;
}
