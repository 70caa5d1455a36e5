// Publishing throughput, as ratios against baselines measured in the same run (these machines are
// noisy): `release push` of one large file and of a 200-file release through `wrangler dev` (the
// publish API, R2 multipart, parts under 100 MB) against `wrangler r2 object put --local` and
// `wrangler r2 bulk put --local` of the same bytes; and `release init`'s streaming sha256 against
// `sha256sum` on the same file. Peak RSS of each command is sampled, at two file sizes, to show
// memory stays flat in file size. Ends with one JSON line of every figure.
//
//   npm run bench:publish [-- --mib 1024 --files 200 --file-kib 256]
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hashFile } from "./release/files";
import { ROOT, startStudioInTemp, toolEnv } from "./studio";

const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "1024" },
    "small-mib": { type: "string", default: "128" },
    files: { type: "string", default: "200" },
    "file-kib": { type: "string", default: "256" },
    keep: { type: "boolean", default: false },
  },
});
const MIB = Number(values.mib);
const SMALL_MIB = Number(values["small-mib"]);
const FILES = Number(values.files);
const FILE_KIB = Number(values["file-kib"]);

type Timed = { seconds: number; peakRssMib: number; stdout: string };

/** Runs a command, timing it and sampling its peak RSS (VmHWM of the process, polled). */
function timed(cmd: string, args: string[], env = toolEnv()): Promise<Timed> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const sample = setInterval(async () => {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, "utf8");
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        // ended between samples
      }
    }, 50);
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("error", fail);
    child.once("close", (code) => {
      clearInterval(sample);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) fail(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`));
      else done({ seconds, peakRssMib: Math.round(peak), stdout });
    });
  });
}

/** `mib` MiB of pseudo-random bytes, written in 4 MiB chunks (never held whole). */
async function bigFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(4 * 1048576);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < mib * 1048576; written += chunk.length) {
    chunk.writeUInt32LE(written >>> 0, 0); // every chunk differs
    if (!out.write(chunk.subarray(0, Math.min(chunk.length, mib * 1048576 - written))))
      await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r, f) => out.end((err?: Error | null) => (err ? f(err) : r())));
}

const release = (...args: string[]) => timed(process.execPath, ["--import", "tsx", "scripts/release/main.ts", ...args]);
const ratio = (baseline: number, ours: number) => Number((baseline / ours).toFixed(2));

async function main() {
  const startLoad = loadavg().map((l) => Number(l.toFixed(1)));
  const { work, studio } = await startStudioInTemp("bench-publish-");
  console.log(
    `bench:publish in ${work}: one ${MIB} MiB file (and ${SMALL_MIB} MiB for the memory check), ${FILES} files of ${FILE_KIB} KiB`,
  );
  try {
    const minted = await fetch(`${studio.url}/api/v1/admin/publisher-tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${studio.adminToken}` },
      body: JSON.stringify({ name: "bench" }),
    });
    const token = ((await minted.json()) as { token: string }).token;
    const key = join(work, "keys", "demo-ec-p256.pem");
    const figures: Record<string, number> = { mib: MIB, files: FILES, fileKib: FILE_KIB };

    // One large file, and a smaller one for the memory check.
    for (const [label, mib] of [
      ["small", SMALL_MIB],
      ["large", MIB],
    ] as const) {
      const dir = join(work, `bench-${label}`);
      await mkdir(dir, { recursive: true });
      const file = join(dir, "bench-appliance.iso");
      await bigFile(file, mib);
      const sha = await timed("sha256sum", [file]);
      // init's own hashing (scripts/release/files.ts hashFile), without the command's start-up.
      const hashStarted = performance.now();
      await hashFile(file);
      const hashSeconds = (performance.now() - hashStarted) / 1000;
      const init = await release(
        "init",
        dir,
        "--key-id",
        "demo-ec-p256",
        "--installer",
        "bench-appliance.iso=iso:palette-enterprise:9.9.9",
      );
      await release("sign", dir, "--key", key);
      const push = await release("push", dir, "--studio", studio.url, "--token", token, "--wait", "0");
      const put = await timed("wrangler", [
        "r2",
        "object",
        "put",
        `artifact-studio-artifacts/baseline/${label}.iso`,
        "--file",
        file,
        "--local",
        "--persist-to",
        join(work, "baseline"),
      ]);
      console.log(
        `${mib} MiB: push ${push.seconds.toFixed(1)} s (peak RSS ${push.peakRssMib} MiB) vs wrangler r2 object put --local ${put.seconds.toFixed(1)} s → ${ratio(put.seconds, push.seconds)}×; ` +
          `init ${init.seconds.toFixed(1)} s (peak RSS ${init.peakRssMib} MiB) vs sha256sum ${sha.seconds.toFixed(1)} s → ${ratio(sha.seconds, init.seconds)}× ` +
          `(its hashing alone ${hashSeconds.toFixed(1)} s → ${ratio(sha.seconds, hashSeconds)}×)`,
      );
      Object.assign(figures, {
        [`${label}PushSeconds`]: push.seconds,
        [`${label}PutSeconds`]: put.seconds,
        [`${label}PushRatio`]: ratio(put.seconds, push.seconds),
        [`${label}PushPeakRssMib`]: push.peakRssMib,
        [`${label}InitSeconds`]: init.seconds,
        [`${label}Sha256sumSeconds`]: sha.seconds,
        [`${label}InitRatio`]: ratio(sha.seconds, init.seconds),
        [`${label}HashSeconds`]: hashSeconds,
        [`${label}HashRatio`]: ratio(sha.seconds, hashSeconds),
        [`${label}InitPeakRssMib`]: init.peakRssMib,
      });
      await rm(file, { force: true });
    }

    // Many small files: the per-request cost.
    const dir = join(work, "bench-many");
    await mkdir(dir, { recursive: true });
    const names = Array.from({ length: FILES }, (_, i) => `bench-file-${String(i).padStart(3, "0")}.iso`);
    for (const [i, name] of names.entries()) await writeFile(join(dir, name), Buffer.alloc(FILE_KIB * 1024, i % 251));
    const installers = names.flatMap((n, i) => ["--installer", `${n}=iso:palette-enterprise:9.${i}.0`]);
    await release("init", dir, "--key-id", "demo-ec-p256", ...installers);
    await release("sign", dir, "--key", key);
    const push = await release("push", dir, "--studio", studio.url, "--token", token, "--wait", "0");
    await writeFile(
      join(work, "bulk.json"),
      // The same bytes: every file, its signature, release.json and its signature.
      JSON.stringify(
        [...names.flatMap((n) => [n, `${n}.sig.bin`]), "release.json", "release.json.sig.bin"].map((n) => ({
          key: `baseline/many/${n}`,
          file: join(dir, n),
        })),
      ),
    );
    const bulk = await timed("wrangler", [
      "r2",
      "bulk",
      "put",
      "artifact-studio-artifacts",
      "--local",
      "--persist-to",
      join(work, "baseline"),
      "-f",
      join(work, "bulk.json"),
    ]);
    console.log(
      `${FILES} files: push ${push.seconds.toFixed(1)} s vs wrangler r2 bulk put --local ${bulk.seconds.toFixed(1)} s → ${ratio(bulk.seconds, push.seconds)}×`,
    );
    Object.assign(figures, {
      manyPushSeconds: push.seconds,
      manyBulkSeconds: bulk.seconds,
      manyPushRatio: ratio(bulk.seconds, push.seconds),
    });
    // These machines are shared: the load the figures were taken under goes with them.
    const load = loadavg().map((l) => Number(l.toFixed(1)));
    console.log(`load average at the end: ${load.join(", ")} (at the start: ${startLoad.join(", ")})`);
    console.log(JSON.stringify({ bench: "publish", ...figures, loadAtStart: startLoad, loadAtEnd: load }));
  } finally {
    await studio.stop();
    if (!values.keep) await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
