// `release push <dir>`: uploads the release through the studio's publish API, then asks the studio
// to sync it now and follows it to its verdict. Files go up in parallel; a file over the part size
// goes in parts (each under 100 MB), remembered in <dir>/.push-state.json so an interrupted push
// resumes where it stopped. A re-run skips what the studio already holds (same size and sha256);
// release.json goes after every file, and its signature, the "release complete" mark, last.
import { createReadStream, existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { storedObjectSchema, partSchema, publishSyncSchema, uploadStartedSchema } from "../../worker/publish/schemas";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE, releaseManifest } from "../../worker/sync/release-manifest";
import { DEFINITION_FILE, hashFile, mib, pool, PUSH_STATE_FILE, UsageError } from "./files";
import { followVerdict, printVerdict } from "./status";
import { Studio, StudioError } from "./studio-client";

export const pushHelp = `Usage: npm run release -- push <dir> --studio URL --token TOKEN [options]

Uploads the signed release in <dir> (every file release.json lists and its .sig.bin, then release.json,
then release.json.sig.bin last) to incoming/<release-id>/ through the studio, then asks the studio to
sync it now and waits for the verdict: "published: …", or "quarantined: <reason>" with every finding.
A re-run skips what is already there (same size and sha256) and resumes an interrupted multipart upload.
Exit code: 0 published, 1 quarantined or failed, 2 still verifying when --wait ran out.

Options:
  --studio URL      the studio (or STUDIO_URL)
  --token TOKEN     a publisher token from the studio's admin (or PUBLISHER_TOKEN)
  --parallel N      requests at once (default 8)
  --part-mib N      part size for large files, 5-95 MiB (default 64)
  --wait SECONDS    how long to follow the sync (default 900); 0: do not ask for a sync`;

export type PushOptions = {
  dir: string;
  studio: string;
  token: string;
  parallel?: number;
  partMib?: number;
  wait?: number;
};
type Upload = { name: string; size: number; sha256: string };
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
async function uploadsOf(dir: string): Promise<{ releaseId: string; files: Upload[]; manifest: Upload[] }> {
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
    releaseId: listing.releaseId,
    files: await pool(names, 4, measure),
    manifest: [await measure(RELEASE_JSON), await measure(RELEASE_JSON_SIGNATURE)],
  };
}

/**
 * The release id and the names to send. A release.json off the schema is still pushed when asked
 * (the sync will quarantine it with the reason `check` gives): then it is the folder's name and files.
 */
async function listedNames(dir: string): Promise<{ releaseId: string; names: string[] }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, RELEASE_JSON), "utf8"));
  } catch {
    json = undefined;
  }
  const parsed = releaseManifest.safeParse(json);
  if (parsed.success)
    return { releaseId: parsed.data.releaseId, names: parsed.data.files.flatMap((f) => [f.file, f.signature]) };
  console.log(
    "! release.json does not pass the schema: the sync will refuse it (see `check`); pushing the folder as it is",
  );
  const names = (await readdir(dir)).filter(
    (n) =>
      !n.startsWith(".") &&
      n !== RELEASE_JSON &&
      n !== RELEASE_JSON_SIGNATURE &&
      n !== DEFINITION_FILE &&
      !n.endsWith(".pem"),
  );
  return { releaseId: basename(dir), names: names.sort() };
}

export async function push(opts: PushOptions): Promise<number> {
  const dir = resolve(opts.dir);
  const studio = new Studio(opts.studio, opts.token);
  const config = await studio.config();
  const partBytes = Math.min(Math.max(opts.partMib ?? 64, 5) * 1048576, config.maxPartBytes);
  const { releaseId, files, manifest } = await uploadsOf(dir);
  const folder = await studio.folder(releaseId);
  if (folder.release) {
    console.log(`release ${releaseId} was already taken by the sync (${folder.release.status}); not uploading`);
    return opts.wait === 0 ? 0 : printVerdict(await followVerdict(studio, releaseId, opts.wait ?? 900));
  }
  const there = new Map(folder.objects.map((o) => [o.name, o]));
  const pusher = new Pusher(studio, dir, releaseId, partBytes, opts.parallel ?? 8);
  await pusher.loadState();
  const started = performance.now();
  let sent = 0;
  const send = async (file: Upload) => {
    const existing = there.get(file.name);
    if (existing) {
      if (existing.size === file.size && existing.sha256 === file.sha256) {
        console.log(`= ${file.name} (already there)`);
        return;
      }
      throw new UsageError(
        `${file.name} is already uploaded to ${releaseId} with other bytes (size ${existing.size}, sha256 ${existing.sha256 ?? "unknown"}); objects are write-once: publish under a new release id`,
      );
    }
    await pusher.upload(file);
    sent += file.size;
    console.log(`↑ ${file.name} (${mib(file.size)})`);
  };
  await pool(files, opts.parallel ?? 8, send);
  for (const file of manifest) await send(file); // release.json, then its signature: last
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
