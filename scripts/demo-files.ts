// Real, small artifact bytes for the demo catalog: a ustar writer (packs and content bundles are
// zstd-compressed tars, Helm charts are gzipped tars) and a minimal ISO 9660 image, so that `tar`,
// `zstd -d` and `file` all recognise what users download from the demo.
import { randomBytes } from "node:crypto";
import { gzipSync, zstdCompressSync } from "node:zlib";

export type TarEntry = { path: string; data: Uint8Array | string };

const BLOCK = 512;
// A fixed mtime keeps a regenerated pack byte-identical when its content is unchanged.
const MTIME = Math.floor(Date.UTC(2026, 0, 1) / 1000);

function tarHeader(path: string, size: number): Buffer {
  if (Buffer.byteLength(path) > 100) throw new Error(`tar path too long for the demo writer: ${path}`);
  const header = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, value: number) =>
    field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  field(0, 100, path);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, MTIME);
  header.fill(" ", 148, 156); // the checksum is computed with its own field as spaces
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  field(265, 32, "spectro");
  field(297, 32, "spectro");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? Buffer.from(entry.data) : Buffer.from(entry.data);
    parts.push(tarHeader(entry.path, data.byteLength), data, Buffer.alloc((BLOCK - (data.byteLength % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export const tarZst = (entries: TarEntry[]) => zstdCompressSync(tar(entries));
export const tgz = (entries: TarEntry[]) => gzipSync(tar(entries));

/**
 * A minimal ISO 9660 image: 16 empty system-area sectors, a primary volume descriptor naming the
 * volume, the set terminator, then `payloadBytes` of filler standing in for the appliance's content.
 */
export function isoImage(volumeId: string, payloadBytes: number): Buffer {
  const SECTOR = 2048;
  const systemArea = Buffer.alloc(16 * SECTOR);
  const pvd = Buffer.alloc(SECTOR, 0);
  pvd[0] = 1;
  pvd.write("CD001", 1, "ascii");
  pvd[6] = 1;
  pvd.write("LINUX".padEnd(32, " "), 8, "ascii");
  pvd.write(
    volumeId
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, "_")
      .slice(0, 32)
      .padEnd(32, " "),
    40,
    "ascii",
  );
  const sectors = 18 + Math.ceil(payloadBytes / SECTOR);
  pvd.writeUInt32LE(sectors, 80); // volume space size, both-endian
  pvd.writeUInt32BE(sectors, 84);
  pvd.writeUInt16LE(1, 120); // volume set size
  pvd.writeUInt16BE(1, 122);
  pvd.writeUInt16LE(1, 124); // volume sequence number
  pvd.writeUInt16BE(1, 126);
  pvd.writeUInt16LE(SECTOR, 128); // logical block size
  pvd.writeUInt16BE(SECTOR, 130);
  pvd[881] = 1; // file structure version
  const terminator = Buffer.alloc(SECTOR, 0);
  terminator[0] = 255;
  terminator.write("CD001", 1, "ascii");
  terminator[6] = 1;
  const payload = randomBytes(Math.ceil(payloadBytes / SECTOR) * SECTOR);
  return Buffer.concat([systemArea, pvd, terminator, payload]);
}
