// Serving one immutable file: conditional and HEAD answers from the grant's metadata alone, then
// the edge cache (keyed by the object, never by the signed URL), then R2 — streamed, never buffered.
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

  const object = await deps.bucket.get(file.objectKey, partial ? { range: { offset: range.start, length } } : {});
  if (!object)
    return new Response(`${file.file} is missing from storage; report this to the operator\n`, {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  headers.set("X-Artifact-Cache", cacheable ? "MISS" : "BYPASS");
  // A separate read fills the cache, so this response's stream is never teed (tee buffers for the slower side).
  if (cacheable) deps.waitUntil(fillCache(file, deps));
  return new Response(object.body, { status, headers });
}

/** Puts the whole object in the edge cache under its object key; harmless if another request raced us. */
async function fillCache(file: Downloadable, deps: Pick<ServeDeps, "bucket" | "cache">): Promise<void> {
  const object = await deps.bucket.get(file.objectKey);
  if (!object) return;
  const cached = new Response(object.body, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(object.size),
      ETag: `"${file.etag}"`,
      "Last-Modified": new Date(file.publishedAt).toUTCString(),
      "Cache-Control": "public, max-age=31536000, immutable",
    },
  });
  await deps.cache.put(cacheKeyOf(file), cached);
}

/** The body of a whole file for the tar: the edge cache if it has it, else R2. */
export async function openWhole(
  file: Downloadable,
  deps: Pick<ServeDeps, "bucket" | "cache" | "maxCacheBytes">,
): Promise<ReadableStream<Uint8Array>> {
  if (file.size <= deps.maxCacheBytes) {
    const hit = await deps.cache.match(cacheKeyOf(file));
    if (hit?.body) return hit.body;
  }
  const object = await deps.bucket.get(file.objectKey);
  if (!object) throw new Error(`${file.file} is missing from storage`);
  if (object.size !== file.size)
    throw new Error(`${file.file} has ${object.size} bytes in storage, the catalog says ${file.size}`);
  return object.body;
}
