// The publisher command: `npm run release -- <command>` (or `npx artifact-release <command>` from a
// checkout). init drafts release.json, sign signs it, check predicts the sync's verdict, push uploads
// and follows the verdict, status reads it later. docs/publishing.md walks through all of it.
import { parseArgs } from "node:util";
import { check, checkHelp, printCheck } from "./check";
import { UsageError } from "./files";
import { init, initHelp } from "./init";
import { publish, publishHelp } from "./publish";
import { push, pushHelp } from "./push";
import { sign, signHelp } from "./sign";
import { followVerdict, printVerdict, releaseIdOf, statusHelp } from "./status";
import { Studio } from "./studio-client";

const HELP = `Usage: npm run release -- <command> [options]   (each command has --help)

  init <dir>        write release.json from the folder's packs and installers
  sign <dir>        sign every file and then release.json (--key FILE or --sign-command CMD)
  check <dir>       the sync's checks before upload; with --studio URL, its exact verdict
  push <dir>        upload through the studio, sync now, and print the verdict
  status <id|dir>   the sync's verdict on a pushed release
  publish <dir>     all of it: init and sign when not done yet, check, and push only if it would publish

A new publisher's walk-through: docs/publishing.md`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  "key-id": { type: "string" },
  "release-id": { type: "string" },
  audience: { type: "string" },
  "expires-at": { type: "string" },
  installer: { type: "string", multiple: true },
  definition: { type: "string" },
  out: { type: "string" },
  key: { type: "string" },
  "sign-command": { type: "string" },
  digest: { type: "boolean" },
  "public-key": { type: "string", multiple: true },
  parallel: { type: "string" },
  studio: { type: "string" },
  token: { type: "string" },
  "part-mib": { type: "string" },
  wait: { type: "string" },
} as const;

const number = (text: string | undefined, name: string) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name}: must be a number`);
  return n;
};

function studioFlags(values: { studio?: string; token?: string }) {
  const studio = values.studio ?? process.env.STUDIO_URL;
  const token = values.token ?? process.env.PUBLISHER_TOKEN;
  if (!studio) throw new UsageError("STUDIO_URL: required (export STUDIO_URL=https://…, or --studio URL)");
  // Not --token first: npm prints the command line it runs, token and all, into terminals and CI logs.
  if (!token) throw new UsageError("PUBLISHER_TOKEN: required (export PUBLISHER_TOKEN=asp_…, or --token TOKEN)");
  return { studio, token };
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];
type Command = { help: string; run: (target: string, v: Values) => Promise<number> };

// Each step's flags, read once: `publish` takes them all, the single-step commands their own.
const draftFlags = (v: Values) => ({
  keyId: v["key-id"],
  releaseId: v["release-id"],
  audience: v.audience,
  expiresAt: v["expires-at"],
  installers: v.installer,
  definition: v.definition,
});
const signFlags = (v: Values) => ({
  key: v.key,
  signCommand: v["sign-command"],
  digest: v.digest,
  publicKey: v["public-key"]?.[0],
  parallel: number(v.parallel, "parallel"),
});
const pushFlags = (v: Values) => ({
  ...studioFlags(v),
  releaseId: v["release-id"],
  parallel: number(v.parallel, "parallel"),
  partMib: number(v["part-mib"], "part-mib"),
  wait: number(v.wait, "wait"),
});

const COMMANDS: Record<string, Command> = {
  init: {
    help: initHelp,
    run: async (dir, v) => {
      const { path, manifest } = await init({ dir, ...draftFlags(v), out: v.out });
      console.log(
        `wrote ${path}: ${manifest.releaseId}, ${manifest.files.length} files, audience ${manifest.audience}, expires ${manifest.expiresAt}`,
      );
      return 0;
    },
  },
  sign: {
    help: signHelp,
    run: async (dir, v) => {
      const { signed } = await sign({ dir, ...signFlags(v) });
      console.log(`signed ${signed.length - 1} files, then release.json`);
      return 0;
    },
  },
  check: {
    help: checkHelp,
    run: async (dir, v) => {
      const result = await check({
        dir,
        studio: v.studio,
        publicKeys: v["public-key"],
        audience: v.audience,
        releaseId: v["release-id"],
      });
      printCheck(result);
      return result.ok ? 0 : 1;
    },
  },
  push: {
    help: pushHelp,
    run: (dir, v) => push({ dir, ...pushFlags(v) }),
  },
  publish: {
    help: publishHelp,
    run: (dir, v) => publish({ dir, ...draftFlags(v), ...signFlags(v), ...pushFlags(v) }),
  },
  status: {
    help: statusHelp,
    run: async (target, v) => {
      const releaseId = releaseIdOf(target);
      const { studio, token } = studioFlags(v);
      return printVerdict(await followVerdict(new Studio(studio, token), releaseId, number(v.wait, "wait") ?? 0));
    },
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.log(HELP);
    return name && name !== "--help" && name !== "-h" && name !== "help" ? 1 : 0;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(command.help);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      `${command.help}\n\n${name}: expected exactly one ${name === "status" ? "release id" : "folder"}`,
    );
  return command.run(positionals[0], values);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof UsageError ? err.exitCode : 1);
  },
);
