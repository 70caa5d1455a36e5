// `release push <dir>`: uploads the release through the studio's publish API, then asks the studio
// to sync it now and follows it to its verdict. Requests go in parallel: small files (signatures,
// charts) many to a request through the batch endpoint, since each request costs a token check and
// an audit row at the studio; a file up to the part size in one request; a larger one in parts (each
// under 100 MB), remembered in <dir>/.push-state.json so an interrupted push resumes where it stopped.
// A re-run skips what the studio already holds (same size, and a sha256 R2 checked: a multipart upload's is only
// declared, so such a file is reported as unconfirmed, left to the sync); release.json goes after every
// file, and its signature, the "release complete" mark, last.
import { createReadStream, existsSync, openAsBlob } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import {
  batchResultSchema,
  partSchema,
  publishSyncSchema,
  storedObjectSchema,
  uploadStartedSchema,
} from "../../worker/publish/schemas";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE, releaseManifest } from "../../worker/sync/release-manifest";
import { readSignedJson } from "../../worker/sync/signed-json";
import { DEFINITION_FILE, hashFile, mib, pool, PUSH_STATE_FILE, UsageError } from "./files";
import { followVerdict, printVerdict } from "./status";
import { type PublishConfig, Studio, StudioError } from "./studio-client";
import type { z } from "zod";

export const pushHelp = `Usage: npm run release -- push <dir> [options]     (STUDIO_URL and PUBLISHER_TOKEN in the environment)

Uploads the signed release in <dir> (every file release.json lists and its .sig.bin, then release.json,
then release.json.sig.bin last) to incoming/<release-id>/ through the studio (files up to 4 MiB many to a
request, larger ones on their own or in parts), then asks the studio to
sync it now and waits for the verdict: "published: …", or "quarantined: <reason>" with every finding.
A re-run skips what is already there (same size and a sha256 the studio checked) and resumes an interrupted
multipart upload; a file already there with only a declared sha256 (a multipart upload's) is said to be
unconfirmed: the sync measures it, and a mismatch means publishing under a new release id.
Exit code: 0 published, 1 quarantined or failed, 2 still verifying when --wait ran out.

Options:
  --studio URL      the studio (default: STUDIO_URL)
  --token TOKEN     a publisher token from the studio's admin (default: PUBLISHER_TOKEN;
                    prefer the env var: npm prints command lines, and CI logs keep them)
  --release-id ID   the release folder to upload to (default: <dir>'s name, as check takes it)
  --parallel N      requests at once (default 8)
  --part-mib N      part size for large files, 5-95 MiB (default 64)
  --wait SECONDS    how long to follow the sync (default 900); 0: do not ask for a sync`;

export type PushOptions = {
  dir: string;
  studio: string;
  token: string;
  releaseId?: string;
  parallel?: number;
  partMib?: number;
  wait?: number;
};
type Upload = { name: string; size: number; sha256: string };
type BatchOutcome = z.infer<typeof batchResultSchema>["objects"][number];

/** Files up to this size go up many to a request (POST …/batch); larger ones one to a request or in parts. */
export const BATCH_FILE_BYTES = 4 * 1024 * 1024;
type State = Record<
  string,
  { uploadId: string; size: number; sha256: string; partBytes: number; parts: Record<string, string> }
>;

/** At most `limit` requests in flight across every file and part. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * A byte range of a file as a request body, streamed from disk with its length declared, so memory
 * stays flat whatever the file or part size (a file that changes meanwhile fails the sha256 check).
 */
function fileRange(path: string, offset: number, length: number): RequestInit {
  const stream = createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: 1024 * 1024 });
  return {
    body: length === 0 ? new Uint8Array(0) : (Readable.toWeb(stream) as ReadableStream<Uint8Array>),
    headers: { "Content-Length": String(length), "Content-Type": "application/octet-stream" },
    duplex: "half",
  } as RequestInit;
}

class Pusher {
  readonly gate: Gate;
  state: State = {};
  private readonly statePath: string;
  constructor(
    readonly studio: Studio,
    readonly dir: string,
    readonly releaseId: string,
    readonly partBytes: number,
    parallel: number,
  ) {
    this.gate = new Gate(parallel);
    this.statePath = join(dir, PUSH_STATE_FILE);
  }

  private url = (name: string) => `/api/v1/publish/releases/${this.releaseId}/files/${encodeURIComponent(name)}`;

  async loadState() {
    if (existsSync(this.statePath)) this.state = JSON.parse(await readFile(this.statePath, "utf8")) as State;
  }
  private saveState = () => writeFile(this.statePath, JSON.stringify(this.state));

  async upload(file: Upload): Promise<void> {
    const path = join(this.dir, file.name);
    if (file.size <= this.partBytes) {
      const body = fileRange(path, 0, file.size);
      await this.gate.run(() =>
        this.studio.json(storedObjectSchema, this.url(file.name), {
          ...body,
          method: "PUT",
          headers: { ...(body.headers as Record<string, string>), "X-Content-SHA256": file.sha256 },
        }),
      );
      return;
    }
    await this.multipart(file, path);
  }

  /** Small files in one multipart/form-data request, each read from disk as it is sent; the studio answers per file. */
  async batch(files: Upload[]): Promise<BatchOutcome[]> {
    const form = new FormData();
    form.append("objects", JSON.stringify(files.map(({ name, size, sha256 }) => ({ name, size, sha256 }))));
    for (const file of files) form.append("file", await openAsBlob(join(this.dir, file.name)), file.name);
    const answer = await this.gate.run(() =>
      this.studio.json(batchResultSchema, `/api/v1/publish/releases/${this.releaseId}/batch`, {
        method: "POST",
        body: form,
      }),
    );
    return answer.objects;
  }

  private async multipart(file: Upload, path: string): Promise<void> {
    let saved = this.state[file.name];
    if (!saved || saved.size !== file.size || saved.sha256 !== file.sha256 || saved.partBytes !== this.partBytes) {
      const started = await this.studio.json(uploadStartedSchema, `${this.url(file.name)}/uploads`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ size: file.size, sha256: file.sha256 }),
      });
      saved = {
        uploadId: started.uploadId,
        size: file.size,
        sha256: file.sha256,
        partBytes: this.partBytes,
        parts: {},
      };
      this.state[file.name] = saved;
      await this.saveState();
    }
    const upload = saved;
    const count = Math.ceil(file.size / this.partBytes);
    const numbers = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !upload.parts[n]);
    await Promise.all(
      numbers.map((n) =>
        this.gate.run(async () => {
          const offset = (n - 1) * this.partBytes;
          const part = await this.studio.json(
            partSchema,
            `${this.url(file.name)}/uploads/${encodeURIComponent(upload.uploadId)}/parts/${n}`,
            { ...fileRange(path, offset, Math.min(this.partBytes, file.size - offset)), method: "PUT" },
          );
          upload.parts[n] = part.etag;
          await this.saveState();
          console.log(`  ${file.name}: part ${n}/${count}`);
        }),
      ),
    );
    const parts = Object.entries(upload.parts)
      .map(([n, etag]) => ({ partNumber: Number(n), etag }))
      .sort((a, b) => a.partNumber - b.partNumber);
    await this.studio.json(
      storedObjectSchema,
      `${this.url(file.name)}/uploads/${encodeURIComponent(upload.uploadId)}/complete`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ parts }),
      },
    );
    delete this.state[file.name];
    await this.saveState();
  }
}

/** What to send, in order: the listed files and their signatures, then release.json, then its signature. */
async function uploadsOf(dir: string): Promise<{ files: Upload[]; manifest: Upload[] }> {
  if (!existsSync(join(dir, RELEASE_JSON_SIGNATURE)))
    throw new UsageError(`${RELEASE_JSON_SIGNATURE} is missing: run sign first`);
  const listing = await listedNames(dir);
  // A listed file that is missing is not sent (the sync will say so, as `check` does); the rest are.
  const names = listing.names.filter((name) => {
    if (existsSync(join(dir, name))) return true;
    console.log(`! ${name} is listed but missing: the sync will refuse the release`);
    return false;
  });
  const measure = (name: string) => hashFile(join(dir, name)).then(({ size, sha256 }) => ({ name, size, sha256 }));
  return {
    files: await pool(names, 4, measure),
    manifest: [await measure(RELEASE_JSON), await measure(RELEASE_JSON_SIGNATURE)],
  };
}

/**
 * The names to send. A release.json off the schema, or repeating a key, is still pushed when asked (the sync will
 * quarantine it with the reason `check` gives): then they are the folder's files.
 */
async function listedNames(dir: string): Promise<{ names: string[] }> {
  // Read as the sync reads it (scripts/release/sign.ts and worker/sync/signed-json.ts).
  const path = join(dir, RELEASE_JSON);
  const read = readSignedJson(RELEASE_JSON, existsSync(path) ? await readFile(path) : new Uint8Array());
  const parsed = releaseManifest.safeParse(read.ok ? read.json : undefined);
  if (parsed.success) return { names: parsed.data.files.flatMap((f) => [f.file, f.signature]) };
  console.log(
    `! ${read.ok ? "release.json does not pass the schema" : read.problem}: the sync will refuse it (see \`check\`); pushing the folder as it is`,
  );
  const names = (await readdir(dir)).filter(
    (n) =>
      !n.startsWith(".") &&
      n !== RELEASE_JSON &&
      n !== RELEASE_JSON_SIGNATURE &&
      n !== DEFINITION_FILE &&
      !n.endsWith(".pem"),
  );
  return { names: names.sort() };
}

/**
 * Small files in batches: as many per request as spreads them over the parallel requests, within the
 * studio's limits (half its byte limit for the files, leaving room for the form's framing).
 */
export function batchesOf(files: Upload[], config: PublishConfig, parallel: number): Upload[][] {
  const perBatch = Math.min(config.maxBatchFiles, Math.max(1, Math.ceil(files.length / parallel)));
  const maxBytes = config.maxBatchBytes / 2;
  const batches: Upload[][] = [];
  let current: Upload[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length && (current.length >= perBatch || bytes + file.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length) batches.push(current);
  return batches;
}

type There = { name: string; size: number; sha256: string | null; sha256Verified: boolean };

/**
 * What push says of a file the folder already holds under the same size and sha256: skipped as there
 * only when R2 checked that sha256; a declared one (a multipart upload's) proves nothing about the bytes.
 */
export function alreadyThere(there: There): string {
  if (there.sha256Verified) return `= ${there.name} (already there)`;
  return (
    `? ${there.name}: already there, but its sha256 was only declared (a multipart upload), not checked by the ` +
    "studio, so push cannot confirm its bytes and cannot replace them (write-once); the sync will measure them, " +
    "and if they are not this file's it quarantines the release: then publish under a new release id"
  );
}

const writeOnce = (releaseId: string, name: string, there: { size: number; sha256: string | null }) =>
  new UsageError(
    `${name} is already uploaded to ${releaseId} with other bytes (size ${there.size}, sha256 ${there.sha256 ?? "unknown"}); objects are write-once: publish under a new release id`,
  );

/** Sends what the folder does not hold yet: small files in batches, the rest one by one; returns the bytes sent. */
async function sendFiles(
  pusher: Pusher,
  files: Upload[],
  there: Map<string, There>,
  opts: { config: PublishConfig; parallel: number; batch: boolean },
): Promise<number> {
  let sent = 0;
  const pending = files.filter((file) => {
    const existing = there.get(file.name);
    if (!existing) return true;
    if (existing.size !== file.size || existing.sha256 !== file.sha256)
      throw writeOnce(pusher.releaseId, file.name, existing);
    console.log(alreadyThere(existing));
    return false;
  });
  const batchable = (f: Upload) => opts.batch && f.size <= Math.min(BATCH_FILE_BYTES, opts.config.maxBatchBytes / 2);
  const small = pending.filter(batchable);
  const batches = batchesOf(small, opts.config, opts.parallel);
  const sendBatch = async (batch: Upload[], i: number) => {
    const outcomes = await pusher.batch(batch);
    const bytes = batch.reduce((n, f) => n + f.size, 0);
    console.log(`↑ batch ${i + 1}/${batches.length}: ${batch.length} files (${mib(bytes)}) in one request`);
    for (const [j, outcome] of outcomes.entries()) {
      if (outcome.status === "conflict") throw writeOnce(pusher.releaseId, outcome.name, outcome);
      console.log(outcome.status === "stored" ? `  ↑ ${outcome.name}` : alreadyThere(outcome));
      if (outcome.status === "stored") sent += batch[j].size;
    }
  };
  const sendOne = async (file: Upload) => {
    await pusher.upload(file);
    sent += file.size;
    console.log(`↑ ${file.name} (${mib(file.size)})`);
  };
  const large = pending.filter((f) => !batchable(f));
  await Promise.all([pool(batches, opts.parallel, sendBatch), pool(large, opts.parallel, sendOne)]);
  return sent;
}

export async function push(opts: PushOptions): Promise<number> {
  const dir = resolve(opts.dir);
  const studio = new Studio(opts.studio, opts.token);
  const config = await studio.config();
  const partBytes = Math.min(Math.max(opts.partMib ?? 64, 5) * 1048576, config.maxPartBytes);
  const parallel = opts.parallel ?? 8;
  // The folder's name (or --release-id), as `check` and the sync take it: a release.json naming
  // another id is uploaded all the same, and quarantined with the reason `check` gives.
  const releaseId = opts.releaseId ?? basename(dir);
  const { files, manifest } = await uploadsOf(dir);
  const folder = await studio.folder(releaseId);
  if (folder.release) {
    console.log(`release ${releaseId} was already taken by the sync (${folder.release.status}); not uploading`);
    return opts.wait === 0 ? 0 : printVerdict(await followVerdict(studio, releaseId, opts.wait ?? 900));
  }
  const there = new Map(folder.objects.map((o) => [o.name, o]));
  const pusher = new Pusher(studio, dir, releaseId, partBytes, parallel);
  await pusher.loadState();
  const started = performance.now();
  let sent = await sendFiles(pusher, files, there, { config, parallel, batch: true });
  // release.json, then its signature: last, each on its own, once every file is in.
  for (const file of manifest) sent += await sendFiles(pusher, [file], there, { config, parallel: 1, batch: false });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `uploaded ${mib(sent)} in ${seconds.toFixed(1)} s (${mib(sent / Math.max(seconds, 0.001))}/s) to incoming/${releaseId}/`,
  );
  await rm(join(dir, PUSH_STATE_FILE), { force: true });
  if (opts.wait === 0) return 0;
  try {
    await studio.json(publishSyncSchema, `/api/v1/publish/releases/${releaseId}/sync`, { method: "POST" });
  } catch (err) {
    if (!(err instanceof StudioError) || err.status < 500) throw err;
    console.log(`the studio's sync answered ${err.status}; following the release anyway`);
  }
  console.log(`syncing ${releaseId}…`);
  return printVerdict(await followVerdict(studio, releaseId, opts.wait ?? 900));
}
