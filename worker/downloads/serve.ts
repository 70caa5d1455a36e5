// Serving one immutable file: conditional and HEAD answers from the grant's metadata alone, then
// the edge cache (keyed by the object, never by the signed URL), then R2 — streamed, never buffered.
import { createHash } from "node:crypto";
import { ApiError } from "../errors";
import { hex } from "../encoding";
import { BLOB_PREFIX, sha256OfBlobKey } from "../storage";
import type { Downloadable } from "./files";
import { isNotModified, parseRange, rangeStillValid } from "./http-range";
import { contentDisposition } from "./signers";

export type ServeDeps = {
  bucket: R2Bucket;
  cache: Cache;
  waitUntil: (p: Promise<unknown>) => void;
  /** Objects above this are streamed from R2 and not cached (the edge cache refuses them anyway). */
  maxCacheBytes: number;
};

/** Cloudflare's cache keeps objects up to 512 MB on most plans. */
export const DEFAULT_MAX_CACHE_BYTES = 512 * 1024 * 1024;

export const cacheKeyOf = (file: Pick<Downloadable, "objectKey" | "etag">) =>
  `https://artifact-cache.internal/${file.objectKey.split("/").map(encodeURIComponent).join("/")}@${file.etag}`;

function baseHeaders(file: Downloadable): Headers {
  return new Headers({
    "Content-Type": contentTypeOf(file.file),
    "Accept-Ranges": "bytes",
    ETag: `"${file.etag}"`,
    "Last-Modified": new Date(file.publishedAt).toUTCString(),
    "Content-Disposition": contentDisposition(file.file),
    // The URL is personal (signed); the bytes never change.
    "Cache-Control": "private, max-age=86400, immutable",
  });
}

const contentTypeOf = (name: string) =>
  name.endsWith(".iso")
    ? "application/x-iso9660-image"
    : name.endsWith(".tgz") || name.endsWith(".tar.gz")
      ? "application/gzip"
      : name.endsWith(".zst")
        ? "application/zstd"
        : "application/octet-stream";

export async function serveDownloadable(request: Request, file: Downloadable, deps: ServeDeps): Promise<Response> {
  const headers = baseHeaders(file);
  const etag = `"${file.etag}"`;
  if (isNotModified(request.headers, etag, file.publishedAt)) return new Response(null, { status: 304, headers });

  const range = rangeStillValid(request.headers, etag, file.publishedAt)
    ? parseRange(request.headers.get("Range"), file.size)
    : { kind: "full" as const };
  if (range.kind === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${file.size}`);
    headers.set("Content-Type", "text/plain; charset=utf-8");
    headers.delete("Content-Disposition");
    return new Response(`range not satisfiable: the file has ${file.size} bytes\n`, { status: 416, headers });
  }
  const partial = range.kind === "partial";
  const length = partial ? range.end - range.start + 1 : file.size;
  headers.set("Content-Length", String(length));
  if (partial) headers.set("Content-Range", `bytes ${range.start}-${range.end}/${file.size}`);
  const status = partial ? 206 : 200;
  if (request.method === "HEAD") return new Response(null, { status, headers });

  const cacheable = file.size <= deps.maxCacheBytes;
  if (cacheable) {
    const hit = await deps.cache.match(
      new Request(cacheKeyOf(file), partial ? { headers: { Range: `bytes=${range.start}-${range.end}` } } : {}),
    );
    if (hit?.body && hit.status === status) {
      headers.set("X-Artifact-Cache", "HIT");
      return new Response(hit.body, { status, headers });
    }
    await hit?.body?.cancel();
  }

  const read = await readVerified(deps.bucket, file, partial ? { offset: range.start, length } : undefined);
  if (!read.ok) return integrityRefusal(file, read.problem);
  headers.set("X-Artifact-Cache", cacheable && !partial ? "MISS" : "BYPASS");
  // A full read's miss fills the cache with a separate read, so this response's stream is never teed
  // (tee buffers for the slower side); range requests never fill it, so a miss costs one fill.
  if (cacheable && !partial) deps.waitUntil(fillCache(file, deps));
  return new Response(read.object.body, { status, headers });
}

type VerifiedRead = { ok: true; object: R2ObjectBody } | { ok: false; problem: string };

/** R2 gives a multipart object an etag of the MD5 of its parts' MD5s, then "-<parts>". */
const isMultipart = (object: R2Object) => /-\d+$/.test(object.etag);

/**
 * What is wrong with a stored object's metadata against the verified file, or null: its size, and the
 * sha256 R2 computed and checked at the single put (checksums.sha256) against the pinned sha256 (the
 * blob key's content address), so bytes crafted to collide with the MD5 etag are still refused. R2
 * keeps no whole-object sha256 for a multipart object: those are checked as they stream instead
 * (`streamChecked`).
 */
export function storedObjectProblem(object: R2Object, file: Downloadable): string | null {
  if (object.size !== file.size) return `storage holds ${object.size} bytes, ${file.size} were verified`;
  const pinned = sha256OfBlobKey(file.objectKey);
  if (!pinned) return "it is not a content-addressed verified copy";
  const stored = object.checksums.sha256;
  if (stored) return hex(stored) === pinned ? null : `storage's sha256 ${hex(stored)} is not the verified ${pinned}`;
  return isMultipart(object) ? null : "storage holds no sha256 for it (a single put must carry one)";
}

/**
 * Reads the verified copy, and only if R2 still holds the very bytes the sync verified (its etag,
 * as a precondition, so changed bytes never leave R2, and the sha256 R2 stored with it). Anything
 * else is refused and logged. A whole multipart object's body is checked as it streams.
 */
export async function readVerified(bucket: R2Bucket, file: Downloadable, range?: R2Range): Promise<VerifiedRead> {
  const problem = (text: string): VerifiedRead => {
    console.error(`integrity: ${file.file} (${file.objectKey}): ${text}`);
    return { ok: false, problem: text };
  };
  if (!file.storedEtag) return problem("it was published before verified copies were pinned; re-publish it");
  const object = await bucket.get(file.objectKey, { onlyIf: { etagMatches: file.storedEtag }, range });
  if (!object) return problem("the verified copy is missing from storage");
  if (!("body" in object)) return problem("the stored bytes changed after verification");
  const wrong = storedObjectProblem(object, file);
  if (wrong) {
    await object.body.cancel();
    return problem(wrong);
  }
  if (!object.checksums.sha256 && !range) return { ok: true, object: streamChecked(object, file) };
  return { ok: true, object };
}

/** The object with its body passed through checkedBytes (the last chunk is held until it checks out). */
function streamChecked(object: R2ObjectBody, file: Downloadable): R2ObjectBody {
  const body = object.body.pipeThrough(checkedBytes(file));
  return new Proxy(object, { get: (target, prop) => (prop === "body" ? body : Reflect.get(target, prop)) });
}

/**
 * Whether every pinned object is in storage as verified (head requests, 16 at a time): an archive
 * must not answer 200 and then end short. Throws IntegrityError naming the first missing file.
 */
export async function assertAllStored(bucket: R2Bucket, files: Downloadable[]): Promise<void> {
  const queue = [...files];
  const problems: string[] = [];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const head = file.storedEtag ? await bucket.head(file.objectKey) : null;
      const problem = !file.storedEtag
        ? "it was published before verified copies were pinned; re-publish it"
        : !head
          ? "the verified copy is missing from storage"
          : head.etag !== file.storedEtag
            ? "the stored bytes changed after verification"
            : storedObjectProblem(head, file);
      if (problem) {
        console.error(`integrity: ${file.file} (${file.objectKey}): ${problem}`);
        problems.push(`${file.file}: ${problem}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
  if (problems.length) throw new IntegrityError(`cannot be served: ${problems.sort().join("; ")}`);
}

const integrityRefusal = (file: Downloadable, problem: string) =>
  new Response(`${file.file} cannot be served: ${problem}. The operator has been alerted.\n`, {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

/**
 * Puts the whole verified object in the edge cache under its object key, from one full read whose
 * size and sha256 are checked as it streams: a short or altered read errors the stream and the
 * entry is deleted. Concurrent misses in this isolate share one fill.
 */
const fillsInFlight = new Map<string, Promise<void>>();

function fillCache(file: Downloadable, deps: Pick<ServeDeps, "bucket" | "cache">): Promise<void> {
  const key = cacheKeyOf(file);
  const running = fillsInFlight.get(key);
  if (running) return running;
  const fill = (async () => {
    const read = await readVerified(deps.bucket, file);
    if (!read.ok) return;
    const cached = new Response(read.object.body.pipeThrough(checkedBytes(file)), {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(file.size),
        ETag: `"${file.etag}"`,
        "Last-Modified": new Date(file.publishedAt).toUTCString(),
        "Cache-Control": "public, max-age=31536000, immutable",
      },
    });
    try {
      await deps.cache.put(key, cached);
    } catch (err) {
      // workerd stores the entry even when the body errors at its end (checkedBytes' verdict), so a
      // refused fill is taken back out at once.
      console.error(`integrity: cache fill of ${file.file} refused`, err);
      await deps.cache.delete(key);
    }
  })().finally(() => fillsInFlight.delete(key));
  fillsInFlight.set(key, fill);
  return fill;
}

/**
 * Passes bytes through, and errors the stream unless they add up to the file's size and sha256. The
 * latest chunk is held back until the next arrives (the last until the check passes), so a reader
 * never receives the complete file when it did not check out.
 */
function checkedBytes(file: Downloadable): TransformStream<Uint8Array, Uint8Array> {
  const hash = createHash("sha256");
  let bytes = 0;
  let held: Uint8Array | undefined;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      hash.update(chunk);
      if (held) controller.enqueue(held);
      held = chunk;
    },
    flush(controller) {
      const sha256 = hash.digest("hex");
      // Verified copies are content-addressed: the key names the sha256 the bytes must have.
      const expected = file.objectKey.startsWith(BLOB_PREFIX) ? file.objectKey.slice(BLOB_PREFIX.length) : sha256;
      if (bytes !== file.size || sha256 !== expected) {
        controller.error(new Error(`${file.file}: read ${bytes} bytes with sha256 ${sha256}; not the verified file`));
        return;
      }
      if (held) controller.enqueue(held);
    },
  });
}

/** The body of a whole file for the tar: the edge cache if it has it, else the verified copy in R2. */
export async function openWhole(
  file: Downloadable,
  deps: Pick<ServeDeps, "bucket" | "cache" | "maxCacheBytes">,
): Promise<ReadableStream<Uint8Array>> {
  if (file.size <= deps.maxCacheBytes) {
    const hit = await deps.cache.match(cacheKeyOf(file));
    if (hit?.body) return hit.body;
  }
  const read = await readVerified(deps.bucket, file);
  if (!read.ok) throw new IntegrityError(`${file.file} cannot be served: ${read.problem}`);
  return read.object.body;
}

/** Verified bytes that storage no longer holds as verified: a 503 naming the file, never cached. */
export class IntegrityError extends ApiError {
  constructor(message: string) {
    super(503, "integrity", `${message}. The operator has been alerted.`, undefined, { "Cache-Control": "no-store" });
  }
}
