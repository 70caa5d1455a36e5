// `release init <dir>`: release.json drafted from the folder. Each pack's metadata comes from its
// own pack.json inside the .zst; installers' product, version and kind from --installer flags or
// release-def.json; sizes and sha256 are streamed. The output is canonical (sorted keys, files by
// name), so the same folder and flags always give the same bytes.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { INSTALLER_KINDS } from "../../worker/domain/vocabulary";
import {
  packManifest,
  RELEASE_JSON,
  type ReleaseManifest,
  releaseManifest,
  signatureFileName,
} from "../../worker/sync/release-manifest";
import { artifactNames, canonicalJson, DEFINITION_FILE, hashFile, pool, UsageError } from "./files";
import { readPackJson } from "./pack-metadata";

export const initHelp = `Usage: npm run release -- init <dir> --key-id ID [options]

Writes <dir>/release.json from the files in <dir>: every *.zst that is not an installer is a pack
(its pack.json is read from inside it with zstd); every other file must be named as an installer.

Options:
  --key-id ID           the trusted key that will sign the release (required, or in ${DEFINITION_FILE})
  --release-id ID       the release id (default: the folder's name)
  --audience NAME       the studio deployment it is for (default: production; see GET /api/v1/publish/config)
  --expires-at ISO      the last moment the studio may ingest it (default: 30 days from today, 00:00 UTC;
                        at most 90 days ahead)
  --installer SPEC      FILE=KIND:PRODUCT:VERSION, KIND one of ${INSTALLER_KINDS.join(", ")} (repeatable)
  --definition FILE     a JSON definition (default: <dir>/${DEFINITION_FILE} when present):
                        { "keyId", "audience", "releaseId", "products": [...],
                          "installers": [{ "file", "kind", "product", "productVersion" }] }
  --out FILE            where to write (default: <dir>/release.json)`;

const installerEntry = z.object({
  file: z.string(),
  kind: z.enum(INSTALLER_KINDS),
  product: z.string(),
  productVersion: z.string(),
});
const definitionSchema = z.object({
  releaseId: z.string().optional(),
  keyId: z.string().optional(),
  audience: z.string().optional(),
  expiresAt: z.string().optional(),
  products: z.array(z.record(z.string(), z.unknown())).default([]),
  installers: z.array(installerEntry).default([]),
});
type Definition = z.infer<typeof definitionSchema>;

export type InitOptions = {
  dir: string;
  keyId?: string;
  releaseId?: string;
  audience?: string;
  expiresAt?: string;
  installers?: string[];
  definition?: string;
  out?: string;
};

function parseInstallerFlag(spec: string): Definition["installers"][number] {
  const m = /^([^=]+)=([^:]+):([^:]+):(.+)$/.exec(spec);
  if (!m) throw new UsageError(`--installer ${spec}: must be FILE=KIND:PRODUCT:VERSION`);
  const parsed = installerEntry.safeParse({ file: m[1], kind: m[2], product: m[3], productVersion: m[4] });
  if (!parsed.success) throw new UsageError(`--installer ${spec}: kind must be one of ${INSTALLER_KINDS.join(", ")}`);
  return parsed.data;
}

async function loadDefinition(opts: InitOptions): Promise<Definition> {
  const path = opts.definition ?? join(opts.dir, DEFINITION_FILE);
  if (!opts.definition && !existsSync(path)) return definitionSchema.parse({});
  const parsed = definitionSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** 30 days from today at 00:00 UTC: stable through the day, well inside the sync's 90-day window. */
export const defaultExpiry = (now = Date.now()) =>
  new Date(Math.floor(now / 86_400_000) * 86_400_000 + 30 * 86_400_000).toISOString().replace(".000Z", "Z");

async function describeFile(dir: string, name: string, installers: Map<string, Definition["installers"][number]>) {
  const { size, sha256 } = await hashFile(join(dir, name));
  const signed = { file: name, signature: signatureFileName(name), size, sha256 };
  const installer = installers.get(name);
  if (installer)
    return { ...signed, kind: installer.kind, product: installer.product, productVersion: installer.productVersion };
  if (!name.endsWith(".zst"))
    throw new UsageError(
      `${name}: not a pack (.zst) and not named as an installer; add --installer ${name}=KIND:PRODUCT:VERSION`,
    );
  const pack = packManifest.safeParse(await readPackJson(join(dir, name)));
  if (!pack.success) {
    const issue = pack.error.issues[0];
    throw new UsageError(`${name}: pack.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return { ...signed, kind: "pack" as const, pack: pack.data };
}

/** The draft manifest (validated by the Worker's own schema) and where it was written. */
export async function init(opts: InitOptions): Promise<{ path: string; manifest: ReleaseManifest }> {
  const dir = resolve(opts.dir);
  const def = await loadDefinition({ ...opts, dir });
  const installers = new Map(
    [...def.installers, ...(opts.installers ?? []).map(parseInstallerFlag)].map((i) => [i.file, i]),
  );
  const names = await artifactNames(dir);
  for (const file of installers.keys())
    if (!names.includes(file)) throw new UsageError(`--installer ${file}: no such file in ${dir}`);
  if (!names.length) throw new UsageError(`${dir}: no artifacts to list`);
  const files = await pool(names, 4, (name) => describeFile(dir, name, installers));
  const keyId = opts.keyId ?? def.keyId;
  if (!keyId) throw new UsageError("--key-id: required (the id of the trusted key that will sign the release)");
  const draft = {
    schemaVersion: 1,
    releaseId: opts.releaseId ?? def.releaseId ?? basename(dir),
    keyId,
    audience: opts.audience ?? def.audience ?? "production",
    expiresAt: opts.expiresAt ?? def.expiresAt ?? defaultExpiry(),
    products: [...def.products].sort((a, b) => String(a.id).localeCompare(String(b.id))),
    files,
  };
  const parsed = releaseManifest.safeParse(draft);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues.map((i) => `release.json: ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n"),
    );
  const path = resolve(opts.out ?? join(dir, RELEASE_JSON));
  await writeFile(path, canonicalJson(parsed.data));
  return { path, manifest: parsed.data };
}
