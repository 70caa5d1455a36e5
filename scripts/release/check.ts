// `release check <dir>`: the sync's checks, in the sync's order and words, run on the folder before
// anything is uploaded, with the Worker's own code (worker/sync/release-checks.ts, plan.ts,
// release-manifest.ts). With --studio, the release is also planned against the live catalog by the
// studio itself (POST /api/v1/publish/plan), so the verdict printed is the one the sync would give.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { fileKeyId } from "../../worker/domain/release-files";
import { type Finding, reasonLine } from "../../worker/sync/plan";
import {
  checkSignedManifest,
  keyNoLongerCurrent,
  manifestSizeProblem,
  measurementProblem,
  presenceFindings,
  unsignedManifest,
} from "../../worker/sync/release-checks";
import {
  admissionProblem,
  releaseIdProblem,
  RELEASE_JSON,
  RELEASE_JSON_SIGNATURE,
  type ReleaseManifest,
} from "../../worker/sync/release-manifest";
import { readSignedJson } from "../../worker/sync/signed-json";
import { verifyDigest } from "../../worker/sync/signatures";
import { hashFile, pool, sizeOf, UsageError } from "./files";
import { type ReleasePlan, Studio } from "./studio-client";

export const checkHelp = `Usage: npm run release -- check <dir> [--studio URL] [--public-key [ID=]FILE] [--audience NAME]

Runs the checks the studio's sync runs, in its order and with its words: the folder name, release.json's
signature with a trusted current key, the schema, names and reserved names, expiry, audience, every
file's presence, size, sha256 and signature. With --studio it also plans the release against the live
catalog (new versions, already published, a changed published pack, a name clash, products) and prints
the sync's verdict: "would publish: adds …" or "would be quarantined: <the sync's reason>".
Exit code 0 only when the release would publish.

Options:
  --studio URL          the studio: its audience, trusted keys and catalog (GET /api/v1/publish/config)
  --public-key [ID=]FILE  a trusted public key when checking offline (ID defaults to release.json's keyId)
  --audience NAME       the deployment to check against offline (default: the studio's, else production)
  --release-id ID       the folder's release id (default: the folder's name)`;

export type CheckOptions = {
  dir: string;
  studio?: string;
  publicKeys?: string[];
  audience?: string;
  releaseId?: string;
};
type Key = { id: string; pem: string; revoked: boolean; revokedAt?: string; notAfter?: string };
export type CheckResult = { ok: boolean; reason?: string; findings: Finding[]; summary?: string; notes: string[] };

const quarantined = (findings: Finding[], notes: string[]): CheckResult => ({
  ok: false,
  reason: reasonLine(findings),
  findings,
  notes,
});

async function offlineKeys(specs: string[], fallbackId: string): Promise<Key[]> {
  return Promise.all(
    specs.map(async (spec) => {
      const m = /^([A-Za-z0-9._-]+)=(.+)$/.exec(spec);
      return { id: m ? m[1] : fallbackId, pem: await readFile(m ? m[2] : spec, "utf8"), revoked: false };
    }),
  );
}

/** The keyId release.json names, read without believing anything else in it (for --public-key FILE). */
const claimedKeyId = (bytes: Buffer) => {
  // Read as the sync reads it: a BOM JSON.parse alone would choke on must not cost the key id.
  const read = readSignedJson(RELEASE_JSON, bytes);
  return read.ok ? String((read.json as { keyId?: unknown } | null)?.keyId ?? "") : "";
};

/** Every check the sync makes, stopping where the sync would stop, with its reason line. */
export async function check(opts: CheckOptions): Promise<CheckResult> {
  const dir = resolve(opts.dir);
  const notes: string[] = [];
  const releaseId = opts.releaseId ?? basename(dir);
  const badId = releaseIdProblem(releaseId);
  if (badId) return quarantined([{ problem: badId }], notes);
  if (!existsSync(join(dir, RELEASE_JSON)))
    throw new UsageError(`${dir}: no release.json (run \`npm run release -- init ${opts.dir}\` first)`);
  if (!existsSync(join(dir, RELEASE_JSON_SIGNATURE))) return quarantined(unsignedManifest().findings, notes);
  const tooBig = manifestSizeProblem(
    await sizeOf(join(dir, RELEASE_JSON)),
    await sizeOf(join(dir, RELEASE_JSON_SIGNATURE)),
  );
  if (tooBig) return quarantined(tooBig.findings, notes);

  const [bytes, signatureBytes] = await Promise.all([
    readFile(join(dir, RELEASE_JSON)),
    readFile(join(dir, RELEASE_JSON_SIGNATURE)),
  ]);
  const studio = opts.studio ? new Studio(opts.studio) : undefined;
  const config = await studio?.config();
  const keys: Key[] = config ? config.keys : await offlineKeys(opts.publicKeys ?? [], claimedKeyId(bytes));
  if (!keys.length) throw new UsageError("no trusted keys: pass --studio URL or --public-key FILE");
  const now = Date.now();
  const signed = await checkSignedManifest(new Uint8Array(bytes), new Uint8Array(signatureBytes), releaseId, keys, now);
  if (!signed.ok) return quarantined(signed.findings, notes);
  const release = signed.release;

  const audience = opts.audience ?? config?.audience;
  if (!audience)
    notes.push(
      `audience: not checked against a studio (release.json says '${release.audience}'; pass --studio or --audience)`,
    );
  const stale = admissionProblem(release, now, audience ?? release.audience);
  if (stale) return quarantined([{ problem: stale }], notes);

  let plan: ReleasePlan | undefined;
  if (studio) {
    plan = await studio.plan(bytes.toString("utf8"));
    if (plan.findings.length) return quarantined(plan.findings, notes);
  } else notes.push("catalog: not planned against a studio (pass --studio URL to see what it would add or refuse)");

  const presence = presenceFindings(release, await folderSizes(dir, release));
  if (presence.length) return quarantined(presence, notes);
  const fileFindings = await verifyFiles(dir, release, keys, now);
  if (fileFindings.length) return quarantined(fileFindings, notes);
  return {
    ok: true,
    findings: [],
    notes,
    summary: plan ? describePlan(plan) : `${release.files.length} files verified`,
  };
}

async function folderSizes(dir: string, release: ReleaseManifest): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const f of release.files)
    for (const name of [f.file, f.signature])
      if (existsSync(join(dir, name))) sizes.set(name, await sizeOf(join(dir, name)));
  return sizes;
}

/** Each file measured and its signature checked, as the sync's Workflow does, in the manifest's order. */
async function verifyFiles(dir: string, release: ReleaseManifest, keys: Key[], now: number): Promise<Finding[]> {
  const verdicts = await pool(release.files, 4, async (f): Promise<Finding | null> => {
    const keyId = fileKeyId(release, f);
    const key = keys.find((k) => k.id === keyId);
    if (!key || key.revoked || (key.notAfter && Date.parse(key.notAfter) < now))
      return { file: f.file, problem: keyNoLongerCurrent(keyId) };
    const { size, sha256, digest } = await hashFile(join(dir, f.file));
    const signature = await readFile(join(dir, f.signature));
    const problem = measurementProblem(
      { bytes: size, sha256, signatureValid: verifyDigest(digest, signature, key.pem) },
      f,
    );
    return problem ? { file: f.file, problem: problem.replace("{key}", keyId) } : null;
  });
  return verdicts.filter((v): v is Finding => v !== null);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const listed = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : items[0];

/** Packs by name and version, installers counted: "cni-calico 3.30.0 and 2 installers". */
function named(packs: { name: string; version: string }[], installers: number): string[] {
  return [...packs.map((p) => `${p.name} ${p.version}`), ...(installers ? [plural(installers, "installer")] : [])];
}

/** "re-signs cni-calico 3.30.0 (brings back 1 withdrawn version)": a rotation is not "nothing". */
function describeResigns(resigned: ReleasePlan["resigned"]): string[] {
  if (!resigned.length) return [];
  const packs = resigned.filter((r) => r.kind === "pack");
  const back = resigned.filter((r) => r.withdrawn).length;
  const what = listed(named(packs, resigned.length - packs.length));
  return [`re-signs ${what}${back ? ` (brings back ${plural(back, "withdrawn version")})` : ""}`];
}

/** "adds cni-calico 3.30.0 and 2 installers; changes nothing" */
export function describePlan(plan: ReleasePlan): string {
  const adds = [
    ...plan.productWrites.filter((w) => w.change === "create").map((w) => `product ${w.id}`),
    ...named(plan.newPacks, plan.newInstallers.length),
  ];
  const updates = plan.productWrites.filter((w) => w.change === "update").map((w) => `product ${w.id}`);
  const parts = [
    ...describeResigns(plan.resigned),
    adds.length ? `adds ${listed(adds)}` : "adds nothing",
    updates.length ? `changes ${listed(updates)}` : "changes nothing",
    ...(plan.alreadyPublished.length ? [`${plan.alreadyPublished.length} already published`] : []),
  ];
  return parts.join("; ");
}

export function printCheck(result: CheckResult): void {
  for (const note of result.notes) console.log(`note: ${note}`);
  if (result.ok) {
    console.log(`would publish: ${result.summary}`);
    return;
  }
  console.log(`would be quarantined: ${result.reason}`);
  for (const f of result.findings) console.log(`  ${f.file ? `${f.file}: ` : ""}${f.problem}`);
}
