// A pack's own metadata, read from inside its .zst the way a person would (`zstd -dc pack.zst | tar
// -xO pack.json`): Node's own zstd (node:zlib) decompresses, so a publisher needs no zstd binary and
// no process per pack, and a streaming ustar reader here finds pack.json without unpacking anything
// else or holding the pack in memory.
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream";
import { createZstdDecompress } from "node:zlib";

const BLOCK = 512;
const MAX_PACK_JSON = 1024 * 1024;
const PACK_JSON = /^(\.\/)?pack\.json$/;

type TarState = { buffered: Buffer; skip: number; want: number; found: Buffer[] | null; done: boolean };

const field = (header: Buffer, offset: number, length: number) =>
  header
    .subarray(offset, offset + length)
    .toString("latin1")
    .replace(/\0.*$/s, "")
    .trim();

/** Feeds decompressed bytes through the tar reader; true once pack.json is read whole. */
function consume(state: TarState, chunk: Buffer): void {
  state.buffered = Buffer.concat([state.buffered, chunk]);
  while (!state.done) {
    if (state.skip > 0) {
      const n = Math.min(state.skip, state.buffered.byteLength);
      if (state.found && state.want > 0) {
        const take = Math.min(n, state.want);
        state.found.push(state.buffered.subarray(0, take));
        state.want -= take;
        if (state.want === 0) state.done = true;
      }
      state.buffered = state.buffered.subarray(n);
      state.skip -= n;
      if (state.skip > 0) return;
      continue;
    }
    if (state.buffered.byteLength < BLOCK) return;
    const header = state.buffered.subarray(0, BLOCK);
    state.buffered = state.buffered.subarray(BLOCK);
    if (header.every((b) => b === 0)) {
      state.done = true;
      return;
    }
    const prefix = field(header, 345, 155);
    const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const size = Number.parseInt(field(header, 124, 12) || "0", 8);
    state.skip = Math.ceil(size / BLOCK) * BLOCK;
    if (PACK_JSON.test(name) && "0\0".includes(String.fromCharCode(header[156]) || "0")) {
      if (size > MAX_PACK_JSON) throw new Error(`pack.json is ${size} bytes, more than ${MAX_PACK_JSON}`);
      state.found = [];
      state.want = size;
      if (size === 0) state.done = true;
    }
  }
}

/** The parsed pack.json inside a pack .zst; an error names the file and what is wrong. */
export async function readPackJson(path: string): Promise<unknown> {
  const state: TarState = { buffered: Buffer.alloc(0), skip: 0, want: 0, found: null, done: false };
  // pipeline, not pipe: a file that cannot be read fails the loop below instead of the process.
  const unzstd = pipeline(createReadStream(path), createZstdDecompress(), () => {});
  try {
    for await (const chunk of unzstd as AsyncIterable<Buffer>) {
      consume(state, chunk);
      if (state.done) break;
    }
  } catch (err) {
    // zlib's own errors are named after zstd's (ZSTD_error_…): the bytes are not a zstd stream. Any
    // other (a file that cannot be read, an oversized pack.json) says what it is.
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const reason = err instanceof Error ? err.message : String(err);
    if (code.startsWith("ZSTD_")) throw new Error(`${path}: not a zstd pack (${reason})`);
    throw reason.startsWith(path) ? err : new Error(`${path}: ${reason}`);
  } finally {
    unzstd.destroy();
  }
  if (!state.found || state.want > 0) throw new Error(`${path}: no pack.json at the top of the pack's tar`);
  try {
    return JSON.parse(Buffer.concat(state.found).toString("utf8"));
  } catch (err) {
    throw new Error(`${path}: pack.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
