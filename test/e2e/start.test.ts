// `npm start` as a user runs it, as a real process: interrupted at any point of start-up it leaves no
// wrangler or workerd behind, and on a port that is taken it says so and exits non-zero.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, toolEnv } from "../../scripts/studio";

type Proc = { pid: number; ppid: number; state: string; cmd: string };

/** Every process on the machine, from /proc (Linux). */
async function processes(): Promise<Proc[]> {
  const list: Proc[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ")".
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ").trim();
      list.push({ pid: Number(entry), ppid: Number(ppid), state, cmd });
    } catch {
      // it ended while we looked
    }
  }
  return list;
}

/** The process and everything below it (wrangler's own process groups included). */
async function tree(root: number): Promise<Proc[]> {
  const all = await processes();
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i].pid));
  return found;
}

const alive = async (pids: number[]) =>
  (await processes()).filter((p) => pids.includes(p.pid) && p.state !== "Z").map((p) => `${p.pid} ${p.cmd}`);

type Run = { child: ChildProcess; output: () => string; exit: Promise<number | null> };

function npmStart(
  port: number,
  dir: string,
  options: { devVars?: string; env?: Record<string, string>; persistTo?: string } = {},
): Run {
  const child = spawn(
    "npm",
    [
      "start",
      "--",
      "--port",
      String(port),
      "--persist-to",
      options.persistTo ?? join(dir, "state"),
      "--dev-vars",
      options.devVars ?? join(dir, ".dev.vars"),
      "--keys",
      join(dir, "keys"),
      "--demo-dir",
      join(dir, "demo"),
    ],
    { cwd: ROOT, env: toolEnv(options.env), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, output: () => output, exit };
}

/** Polls until `ready` finds what it looks for in the run's process tree. */
async function waitFor(run: Run, ready: (procs: Proc[]) => boolean, what: string): Promise<Proc[]> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited before ${what}:\n${run.output()}`);
    const procs = await tree(run.child.pid as number);
    if (ready(procs)) return procs;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${what} within 150 s:\n${run.output()}`);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "artifact-studio-start-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wranglerMigrating = (procs: Proc[]) => procs.some((p) => /wrangler.* d1 migrations apply/.test(p.cmd));
const wranglerDevServing = (procs: Proc[]) =>
  procs.some((p) => /wrangler.* dev /.test(p.cmd)) && procs.some((p) => /workerd serve/.test(p.cmd));

describe("npm start interrupted during start-up", () => {
  const cases: [string, NodeJS.Signals, (procs: Proc[]) => boolean, number][] = [
    ["SIGTERM while the migrations run", "SIGTERM", wranglerMigrating, 143],
    ["SIGTERM while wrangler dev starts", "SIGTERM", wranglerDevServing, 143],
    // npm does not pass SIGHUP on: start.ts notices that its parent is gone.
    ["SIGHUP while wrangler dev starts", "SIGHUP", wranglerDevServing, 129],
  ];
  it.each(cases)(
    "%s: stops, and no wrangler or workerd it started remains",
    async (_name, signal, ready, code) => {
      const run = npmStart(await freePort(), dir);
      await waitFor(run, ready, "wrangler at that step");
      const started = await tree(run.child.pid as number);
      run.child.kill(signal);
      const exitCode = await run.exit;
      // npm passes SIGTERM to start.ts and exits with its code; npm itself dies of SIGHUP.
      if (signal === "SIGTERM") expect(exitCode).toBe(code);
      const pids = started.map((p) => p.pid);
      const deadline = Date.now() + 30_000;
      while ((await alive(pids)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await alive(pids)).toEqual([]);
      // Nor anything else that names this run's state (wrangler's arguments do).
      expect((await processes()).filter((p) => p.cmd.includes(dir) && p.state !== "Z")).toEqual([]);
    },
    240_000,
  );
});

describe("npm start on a port that is taken", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = createServer();
    await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("says the port is in use and how to choose another, and exits non-zero without starting anything", async () => {
    const run = npmStart(port, dir);
    const exitCode = await run.exit;
    expect(exitCode).toBe(1);
    expect(run.output()).toContain(
      `port ${port} is already in use (another npm start or wrangler dev?): stop it, or start on another port with --port or PORT`,
    );
    expect(run.output()).not.toContain("applying local D1 migrations");
  });
});

describe("npm start with settings from .dev.vars and the environment alone (wrangler.toml untouched)", () => {
  let run: Run;
  let url: string;
  let adminToken: string;
  beforeAll(async () => {
    const devVars = join(dir, "r2-captcha.dev.vars");
    await writeFile(
      devVars,
      [
        "CAPTCHA_PROVIDER=turnstile",
        "CAPTCHA_SITE_KEY=1x00000000000000000000AA",
        "R2_ACCOUNT_ID=0123456789abcdef0123456789abcdef",
        "R2_BUCKET_NAME=studio-local-test",
        "R2_ACCESS_KEY_ID=AKIDLOCALTEST",
        "",
      ].join("\n"),
    );
    const port = await freePort();
    // Turnstile's documented always-pass test secret, and the R2 signer with its secret from the environment.
    const env = {
      DOWNLOAD_SIGNER: "r2",
      R2_SECRET_ACCESS_KEY: "local-test-secret",
      CAPTCHA_SECRET: "1x0000000000000000000000000000000AA",
    };
    // A local D1 of its own: the interrupted starts above already migrated theirs, and the summary
    // is asserted on a start that applies every migration.
    run = npmStart(port, dir, { devVars, env, persistTo: join(dir, "fresh-state") });
    const deadline = Date.now() + 200_000;
    while (!run.output().includes("Artifact Studio is running at") && Date.now() < deadline) {
      if (run.child.exitCode !== null) throw new Error(`npm start exited:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    url = `http://127.0.0.1:${port}`;
    adminToken = /^ADMIN_TOKEN='?([^'\n]+)/m.exec(await readFile(devVars, "utf8"))?.[1] ?? "";
  }, 240_000);
  afterAll(async () => {
    run.child.kill("SIGTERM");
    await run.exit;
  });

  it("signs downloads with R2 presigned URLs (R2_ACCESS_KEY_ID from .dev.vars, R2_SECRET_ACCESS_KEY from the environment)", async () => {
    const created = await fetch(`${url}/api/v1/admin/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "e2e", scopes: ["grants:create"] }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const grant = await fetch(`${url}/api/v1/grants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "cni-calico", version: "3.29.1" }] }),
    });
    const body = (await grant.json()) as { signer: string; files: { url: string }[] };
    expect(grant.status, JSON.stringify(body)).toBe(201);
    expect(body.signer).toBe("r2");
    const signed = new URL(body.files[0].url);
    expect(signed.origin).toBe("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
    expect(signed.pathname).toMatch(/^\/studio-local-test\//);
    expect(signed.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDLOCALTEST\//);
  });

  it("prints one clean summary: one line for the migrations, none of wrangler's tables or banners", () => {
    const out = run.output();
    expect(out.match(/local D1: applied \d+ migrations/g), out).toHaveLength(1);
    for (const noise of ["Migrations to be applied", "┌", "Your Worker has access to the following bindings", "⛅️"])
      expect(out, noise).not.toContain(noise);
    expect(out).toContain("Artifact Studio is running at");
  });

  it("checks the captcha with CAPTCHA_SECRET from the environment, not as a misconfigured studio", async () => {
    const res = await fetch(`${url}/api/v1/grants`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "cni-calico", version: "3.29.1" }], captchaToken: "XXXX.DUMMY.TOKEN" }),
    });
    // Online, Turnstile's test secret passes the token (201); offline, siteverify is unreachable (503
    // captcha_unavailable). Without the secret the studio would answer 503 misconfigured.
    const body = (await res.json()) as { error?: { code: string } };
    if (res.status !== 201) expect(body.error?.code).toBe("captcha_unavailable");
    const page = await (await fetch(`${url}/download?packs=cni-calico@3.29.1`)).text();
    expect(page).toContain("1x00000000000000000000AA");
  });
});
