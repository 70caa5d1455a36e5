// A POSIX ustar archive, streamed: each entry is a 512-byte header, the bytes, zero padding to 512;
// two zero blocks end it. Its length is a pure function of the entries' names and sizes, so
// Content-Length is known before the first byte (and before anything is opened) and the body flows
// through a FixedLengthStream without buffering.

export const BLOCK = 512;

/** A byte range of an entry's data: [offset, offset + length). */
export type ByteRange = { offset: number; length: number };

export type TarEntry = {
  path: string;
  size: number;
  /** ms since epoch */
  mtime: number;
  mode?: number;
  /**
   * The entry's bytes: a Uint8Array of all of them, or a stream of exactly the range asked for
   * (all of them without one). Ranges are asked for only when a part of the archive cuts the entry.
   */
  open: (range?: ByteRange) => Promise<ReadableStream<Uint8Array> | Uint8Array>;
};

const padTo = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

/**
 * Total archive bytes for these entries, from their paths and sizes alone: nothing is opened. A path
 * the header cannot hold throws here as it would while writing, so no length is given for an archive
 * that cannot be written.
 */
export function tarLength(entries: readonly Pick<TarEntry, "path" | "size">[]): number {
  let total = 2 * BLOCK;
  for (const { path, size } of entries) {
    splitPath(path);
    total += BLOCK + size + padTo(size);
  }
  return total;
}

const encoder = new TextEncoder();

function writeString(block: Uint8Array, offset: number, length: number, value: string) {
  const bytes = encoder.encode(value);
  if (bytes.byteLength > length) throw new Error(`tar field too long: ${value}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number) {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`tar octal field overflow: ${value}`);
  writeString(block, offset, length - 1, digits.padStart(length - 1, "0"));
}

/** Sizes of 8 GiB and more use the base-256 form GNU tar and bsdtar read (ISOs can be that big). */
function writeSize(block: Uint8Array, size: number) {
  if (size < 8 ** 11) return writeOctal(block, 124, 12, size);
  block[124] = 0x80;
  let rest = BigInt(size);
  for (let i = 135; i > 124; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** ustar keeps names up to 100 bytes, or a prefix of up to 155 bytes and a name split at a "/". */
function splitPath(path: string): { name: string; prefix: string } {
  if (encoder.encode(path).byteLength <= 100) return { name: path, prefix: "" };
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).byteLength <= 155 && encoder.encode(name).byteLength <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a ustar archive: ${path}`);
}

export function ustarHeader(entry: Pick<TarEntry, "path" | "size" | "mtime" | "mode">): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { name, prefix } = splitPath(entry.path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, entry.mode ?? 0o644);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeSize(block, entry.size);
  writeOctal(block, 136, 12, Math.floor(entry.mtime / 1000));
  block.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  block[156] = 0x30; // "0": regular file
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  writeString(block, 265, 32, "root");
  writeString(block, 297, 32, "root");
  writeString(block, 345, 155, prefix);
  const sum = block.reduce((acc, b) => acc + b, 0);
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

/** Where the archive being written stands: its writer, the next byte's offset, and the range to write. */
type Cursor = {
  writable: WritableStream<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Archive offset of the next byte the loop reaches. */
  pos: number;
  start: number;
  end: number;
};

/** Writes the part of a segment of known bytes at pos that the range covers. */
async function emit(c: Cursor, bytes: Uint8Array) {
  const from = Math.max(c.start, c.pos);
  const to = Math.min(c.end, c.pos + bytes.byteLength);
  if (from < to) await c.writer.write(bytes.subarray(from - c.pos, to - c.pos));
  c.pos += bytes.byteLength;
}

/** Writes the part of an entry's data the range covers, opening only that part when the range cuts it. */
async function emitData(c: Cursor, entry: TarEntry) {
  const from = Math.max(c.start, c.pos);
  const to = Math.min(c.end, c.pos + entry.size);
  if (from < to) {
    const whole = from === c.pos && to === c.pos + entry.size;
    const body = await entry.open(whole ? undefined : { offset: from - c.pos, length: to - from });
    if (body instanceof Uint8Array) {
      if (body.byteLength !== entry.size)
        throw new Error(`${entry.path}: ${body.byteLength} bytes, expected ${entry.size}`);
      await c.writer.write(body.subarray(from - c.pos, to - c.pos));
    } else {
      // pipeTo lets the runtime move R2 bytes natively; the FixedLengthStream catches a short object.
      c.writer.releaseLock();
      await body.pipeTo(c.writable, { preventClose: true });
      c.writer = c.writable.getWriter();
    }
  }
  c.pos += entry.size;
}

/** Every entry the range reaches (header, data, padding), then the two end blocks; entries before it are skipped by size. */
async function writeArchive(c: Cursor, entries: TarEntry[]) {
  for (const entry of entries) {
    if (c.pos >= c.end) break;
    const pad = padTo(entry.size);
    if (c.pos + BLOCK + entry.size + pad <= c.start) {
      c.pos += BLOCK + entry.size + pad;
      continue;
    }
    await emit(c, ustarHeader(entry));
    await emitData(c, entry);
    if (pad) await emit(c, new Uint8Array(pad));
  }
  if (c.pos < c.end) await emit(c, new Uint8Array(2 * BLOCK));
  await c.writer.close();
}

/** A failed archive is aborted, so the download ends truncated rather than silently wrong. */
async function abortArchive(c: Cursor, err: unknown) {
  console.error("tar stream aborted:", err);
  try {
    c.writer.releaseLock();
  } catch {
    // already released around a pipeTo
  }
  await c.writable.abort(err).catch(() => {});
}

/**
 * The archive, or the bytes [start, end) of it, as a stream of exactly that many bytes. A range
 * (a media-sized part) is the same bytes the whole archive has there: entries before it are skipped
 * by size alone, and an entry it cuts is opened for just the cut range. `done` settles when the last
 * byte is written or the archive fails (a short or missing object aborts it: a truncated download,
 * never a silently wrong archive); give it to waitUntil.
 */
export function tarStream(
  entries: TarEntry[],
  range?: { start: number; end: number },
): {
  readable: ReadableStream<Uint8Array>;
  length: number;
  done: Promise<void>;
} {
  const total = tarLength(entries);
  const start = range?.start ?? 0;
  const end = range?.end ?? total;
  if (start < 0 || end > total || start >= end) throw new Error(`bad tar range ${start}-${end} of ${total}`);
  const { readable, writable } = new FixedLengthStream(end - start);
  const cursor: Cursor = { writable, writer: writable.getWriter(), pos: 0, start, end };
  const done = writeArchive(cursor, entries).catch((err) => abortArchive(cursor, err));
  return { readable, length: end - start, done };
}
