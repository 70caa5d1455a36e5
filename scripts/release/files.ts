// File helpers of the publisher command: streaming sha256 (a multi-GB ISO never sits in memory),
// the release folder's own files, canonical JSON, and a small concurrency pool.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export const STREAM_CHUNK = 4 * 1024 * 1024;

/** Size and sha256 of a file, read once in 4 MiB chunks. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string; digest: Buffer }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: STREAM_CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  const digest = hash.digest();
  return { size, sha256: digest.toString("hex"), digest };
}

/** Names the command writes or reads beside the artifacts; never artifacts themselves. */
export const DEFINITION_FILE = "release-def.json";
export const PUSH_STATE_FILE = ".push-state.json";

/** The artifacts in a release folder: plain files that are not signatures, manifests, keys or our own. */
export async function artifactNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || name.startsWith(".") || name.endsWith(".sig.bin") || name.endsWith(".pem")) continue;
    if (name === "release.json" || name === DEFINITION_FILE) continue;
    names.push(name);
  }
  return names.sort();
}

export const sizeOf = async (path: string) => (await stat(path)).size;
export const fileIn = (dir: string, name: string) => join(dir, name);

/** JSON with every object's keys sorted, two-space indented, newline-terminated: same input, same bytes. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object")
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** Runs `work` over `items` with at most `limit` at once, keeping results in order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A command-line failure: printed as one line, exit code 1 (or the one given). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
