// The verified copy of every published file. The sync streams a file once from its release folder,
// measuring and verifying it while it writes the same bytes to an immutable, content-addressed key
// (blobs/sha256/<hex>); R2 checks the sha256 again on a single put. Downloads read only these copies,
// each pinned to the etag R2 gave it, so rewriting or deleting the dropped objects changes nothing.

/** R2 takes up to 5 GiB - 5 MiB in one put; larger copies are uploaded in parts. */
export const SINGLE_PUT_MAX = 4 * 1024 ** 3;
/** Parts of a multipart copy (R2: all but the last the same size, at least 5 MiB). */
export const PART_SIZE = 512 * 1024 ** 2;

export type BlobLimits = { singlePutMax: number; partSize: number };
const DEFAULT_LIMITS: BlobLimits = { singlePutMax: SINGLE_PUT_MAX, partSize: PART_SIZE };

/** A copy in progress: write exactly `size` bytes, then finish (or abandon, and nothing is stored). */
export type BlobWriter = {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  finish: () => Promise<R2Object>;
  abandon: (reason: unknown) => Promise<void>;
};

export function openBlobWriter(
  bucket: R2Bucket,
  key: string,
  expected: { size: number; sha256: string },
  limits: BlobLimits = DEFAULT_LIMITS,
): BlobWriter {
  return expected.size > limits.singlePutMax
    ? multipartWriter(bucket, key, expected.size, limits.partSize)
    : singlePutWriter(bucket, key, expected);
}

function singlePutWriter(bucket: R2Bucket, key: string, expected: { size: number; sha256: string }): BlobWriter {
  // FixedLengthStream gives R2 the length up front and errors on a byte more or less.
  const { readable, writable } = new FixedLengthStream(expected.size);
  const put = bucket.put(key, readable, { sha256: expected.sha256 });
  put.catch(() => {}); // observed by finish/abandon; never an unhandled rejection
  const writer = writable.getWriter();
  return {
    writer,
    finish: async () => {
      await writer.close();
      return put;
    },
    abandon: async (reason) => {
      await writer.abort(reason).catch(() => {});
      await put.catch(() => {});
    },
  };
}

function multipartWriter(bucket: R2Bucket, key: string, size: number, partSize: number): BlobWriter {
  const upload = bucket.createMultipartUpload(key);
  upload.catch(() => {});
  const parts: Promise<R2UploadedPart>[] = [];
  let part: { writer: WritableStreamDefaultWriter<Uint8Array>; remaining: number } | null = null;
  let written = 0;

  const startPart = async () => {
    const length = Math.min(partSize, size - written);
    const { readable, writable } = new FixedLengthStream(length);
    const uploading = (await upload).uploadPart(parts.length + 1, readable);
    uploading.catch(() => {});
    parts.push(uploading);
    return { writer: writable.getWriter(), remaining: length };
  };

  const sink = new WritableStream<Uint8Array>({
    async write(chunk) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        if (written >= size) throw new Error(`more than the ${size} bytes expected`);
        part ??= await startPart();
        const take = Math.min(part.remaining, chunk.byteLength - offset);
        await part.writer.write(chunk.subarray(offset, offset + take));
        part.remaining -= take;
        written += take;
        offset += take;
        if (part.remaining === 0) {
          await part.writer.close();
          part = null;
        }
      }
    },
  });
  const writer = sink.getWriter();
  return {
    writer,
    finish: async () => {
      await writer.close();
      if (written !== size) throw new Error(`${written} bytes written, ${size} expected`);
      return (await upload).complete(await Promise.all(parts));
    },
    abandon: async (reason) => {
      await writer.abort(reason).catch(() => {});
      await part?.writer.abort(reason).catch(() => {});
      await Promise.allSettled(parts);
      await (await upload).abort().catch(() => {});
    },
  };
}
