// Issuing a grant: the gate (API token or captcha, and the per-client rate limit), resolving what
// was chosen to catalog files (404/409 naming what is unknown or yanked), recording it for the
// audit trail, and presenting it with signed URLs.
import { z } from "zod";
import { captchaFromConfig, CAPTCHA_ACTION, type FetchFn } from "../captcha/siteverify";
import { bundleSpec } from "../catalog/bundle-spec";
import { INSTALLER_KINDS, packRef, packRefId, productId } from "../domain/vocabulary";
import type { Db } from "../db/client";
import {
  findInstallerFiles,
  findPackFiles,
  type GrantRecord,
  getGrant,
  getGrantByCapabilityHash,
  insertGrant,
  grantDrift,
  productVersionExists,
} from "../db/grant-queries";
import type { Config } from "../env";
import { ApiError, badField, misconfigured, NotFound, notFound } from "../errors";
import { randomBase64url, sha256OfText } from "../encoding";
import { rateLimitKey } from "./client-key";
import { artifactOf, signatureOf, totalBytes } from "./files";
import type { GrantFile } from "../db/grant-queries";
import { MANIFEST_FORMATS, type ManifestEntry } from "./manifest-formats";
import type { UrlSigner } from "./signers";
import { authenticateToken, bearerOf, type TokenScope } from "./api-tokens";
import { yankWords } from "../domain/yank-words";
import type { KeyDistrust } from "../key-status";

const version = z.string().min(1).max(40);

export const installersSelection = z.object({
  product: productId,
  version,
  kinds: z.array(z.enum(INSTALLER_KINDS)).min(1).optional(),
});

/**
 * What the user chose: a bundle spec, or installers and/or a list of packs (an upgrade needs the
 * target's installers and its new packs in one grant).
 */
const selectionSchema = z
  .object({
    installers: installersSelection.optional(),
    bundle: bundleSpec.optional(),
    packs: z.array(packRef).min(1, "choose at least one pack").max(500, "at most 500 packs a grant").optional(),
  })
  .superRefine((s, ctx) => {
    const valid = s.bundle ? !s.installers && !s.packs : Boolean(s.installers || s.packs);
    if (!valid)
      ctx.addIssue({
        code: "custom",
        path: [s.bundle ? "bundle" : "installers"],
        message: "give a bundle, or installers and/or packs",
      });
  });

export const grantRequestSchema = z.intersection(
  selectionSchema,
  z.object({ captchaToken: z.string().max(4096).optional() }),
);

export type Selection = z.infer<typeof selectionSchema>;

/** A product version's installers (all, or the kinds asked for); 404 names what is unknown. */
async function resolveInstallers(db: Db, installers: NonNullable<Selection["installers"]>): Promise<GrantFile[]> {
  const { product, version, kinds } = installers;
  const { productExists, files, yanked } = await findInstallerFiles(db, product, version, kinds);
  if (!productExists)
    throw notFound(`${product} ${version}`, [
      { field: "installers.version", message: `${product} has no version ${version}` },
    ]);
  if (!files.length && yanked.length)
    throw new ApiError(
      409,
      "yanked",
      `yanked installers of ${product} ${version}: ${yanked.map((y) => y.file).join(", ")}`,
      yanked.map((y) => ({ field: "installers", message: `${y.file} was yanked${y.reason ? `: ${y.reason}` : ""}` })),
    );
  if (!files.length) throw new NotFound(`${product} ${version} has no ${kinds?.join(", ") ?? "installers"}`);
  return files;
}

/**
 * The files a selection names, in the order chosen (installers first); 404 names what is unknown,
 * 409 what is yanked.
 */
export async function resolveSelection(db: Db, selection: Selection): Promise<GrantFile[]> {
  if (selection.installers && selection.packs) {
    const [installers, packs] = await Promise.all([
      resolveSelection(db, { installers: selection.installers }),
      resolveSelection(db, { packs: selection.packs }),
    ]);
    return [...installers, ...packs];
  }
  if (selection.installers) return resolveInstallers(db, selection.installers);
  const refs = selection.packs ?? selection.bundle!.packs;
  if (!refs.length) throw badField("bundle.packs", "choose at least one pack");
  const ids = [...new Set(refs.map(packRefId))];
  const [found, productOk] = await Promise.all([
    findPackFiles(db, ids),
    selection.bundle
      ? productVersionExists(db, selection.bundle.product, selection.bundle.version)
      : Promise.resolve(true),
  ]);
  if (!productOk)
    throw notFound(`${selection.bundle!.product} ${selection.bundle!.version}`, [
      { field: "bundle.version", message: "unknown product version" },
    ]);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw new NotFound(
      `unknown pack versions: ${missing.join(", ")}`,
      missing.map((id) => ({ field: "packs", message: `${id} is not in the catalog`, pack: id })),
    );
  }
  const yanked = ids.filter((id) => found.get(id)!.yanked);
  if (yanked.length) {
    throw new ApiError(
      409,
      "yanked",
      `yanked pack versions: ${yanked.join(", ")}`,
      yanked.map((id) => ({
        field: "packs",
        message: `${id} was yanked${found.get(id)!.yankReason ? `: ${found.get(id)!.yankReason}` : ""}`,
        pack: id,
      })),
    );
  }
  return ids.map((id) => {
    const { yanked: _y, yankReason: _r, ...file } = found.get(id)!;
    return file;
  });
}

/**
 * 409 naming every file whose own signature is by a revoked or unlisted key: defence in depth beside
 * the catalog's reconcile (key-reconcile.ts), from the env alone, so it holds even before that commits.
 */
export function refuseDistrustedKeys(files: GrantFile[], distrust: KeyDistrust, what: string): void {
  const bad = files.flatMap((f) => {
    const why = distrust(f.keyId);
    return why ? [{ file: f.file, why }] : [];
  });
  if (!bad.length) return;
  throw new ApiError(
    409,
    "key_revoked",
    `${what} files signed with a key it may not hand out: ${bad.map((b) => `${b.file} (${b.why})`).join(", ")}`,
    bad.map((b) => ({ field: "packs", message: `${b.file} is signed with ${b.why}` })),
  );
}

export type Requester = { ip?: string; country?: string; userAgent?: string; tokenId?: string };

export type GateInput = {
  env: Env;
  cfg: Config;
  writer: Db;
  authorization: string | undefined;
  captchaToken: string | undefined;
  hostname: string;
  ip: string | undefined;
  scope: TokenScope;
  waitUntil: (p: Promise<unknown>) => void;
  fetch?: FetchFn;
};

/**
 * Who may have a grant: an API token with the scope, or anyone who solved the captcha. The rate
 * limit (per token, else per IPv4 address or IPv6 /64) comes before siteverify so a flood never
 * reaches the provider. With the captcha off, grants
 * are only issued when ENVIRONMENT is "local".
 */
export async function passGate(input: GateInput): Promise<{ tokenId?: string }> {
  const bearer = bearerOf(input.authorization);
  const principal = bearer ? await authenticateToken(input.writer, bearer, input.scope, input.waitUntil) : undefined;
  const key = principal ? `token:${principal.id}` : rateLimitKey(input.ip);
  const { success } = await input.env.GRANT_LIMITER.limit({ key });
  if (!success)
    throw new ApiError(
      429,
      "rate_limited",
      "too many download requests from this client; retry in a minute",
      undefined,
      { "Retry-After": "60" },
    );
  if (principal) return { tokenId: principal.id };

  const verifier = captchaFromConfig(input.cfg, input.fetch);
  if (!verifier) {
    if (input.cfg.ENVIRONMENT !== "local") {
      throw misconfigured(
        "worker misconfigured: CAPTCHA_PROVIDER is off, which is only allowed when ENVIRONMENT is local; configure turnstile or recaptcha",
      );
    }
    return {};
  }
  const result = await verifier.verify({
    token: input.captchaToken,
    hostname: input.hostname,
    remoteIp: input.ip,
    action: CAPTCHA_ACTION,
  });
  if (!result.ok) {
    throw new ApiError(
      result.status,
      result.code,
      result.message,
      undefined,
      result.status === 503 ? { "Retry-After": "5" } : undefined,
    );
  }
  return {};
}

export const GRANT_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * A grant's capability: 256 random bits, base64url. It opens the grant's JSON, manifests and tar;
 * the grant id (in every /dl URL) opens only the single files it signs. Only its SHA-256 is stored.
 */
export const GRANT_CAPABILITY = /^[A-Za-z0-9_-]{43}$/;

/** The grant this id names; anything not shaped like a grant id is unknown without a query. */
export const findGrant = async (db: Db, id: string): Promise<GrantRecord | undefined> =>
  GRANT_ID.test(id) ? getGrant(db, id) : undefined;

/** The grant this capability opens; anything not shaped like a capability opens nothing. */
export const findGrantByCapability = async (db: Db, capability: string): Promise<GrantRecord | undefined> =>
  GRANT_CAPABILITY.test(capability) ? getGrantByCapabilityHash(db, await sha256OfText(capability)) : undefined;

export type RecordedGrant = { grant: GrantRecord; capability: string };

export async function recordGrant(
  writer: Db,
  cfg: Config,
  request: unknown,
  files: GrantFile[],
  requester: Requester,
  now: number,
): Promise<RecordedGrant> {
  const capability = randomBase64url(32);
  const grant: GrantRecord = {
    id: randomBase64url(16),
    capabilityHash: await sha256OfText(capability),
    createdAt: now,
    clientIp: requester.ip ?? null,
    clientCountry: requester.country ?? null,
    userAgent: requester.userAgent?.slice(0, 300) ?? null,
    tokenId: requester.tokenId ?? null,
    request,
    files,
    fileCount: files.length,
    totalBytes: totalBytes(files),
    expiresAt: now + cfg.GRANT_TTL_SECONDS * 1000,
    revoked: false,
    revokedAt: null,
  };
  await insertGrant(writer, grant);
  return { grant, capability };
}

/**
 * The grant a capability opens, if it may still be used: 404 not a capability, 403 revoked, 410 expired
 * (or past retention: archived, or never issued),
 * 409 if a file is signed by a revoked key (checked against the env, before any read), or a pack or
 * installer was yanked or re-signed since.
 */
export async function loadLiveGrant(
  db: Db,
  capability: string,
  now: number,
  distrust: KeyDistrust,
): Promise<GrantRecord> {
  const grant = await findGrantByCapability(db, capability);
  // A well-formed capability that opens no grant is one whose grant expired and was archived
  // (GRANT_RETENTION_DAYS after expiry), or one never issued: the same answer for both, and the one
  // a user holding an old link needs. Anything else is not a capability at all.
  if (!grant && GRANT_CAPABILITY.test(capability))
    throw new ApiError(
      410,
      "expired",
      "no live grant has this capability: it expired (expired grants are archived and removed after the retention period) or was never issued; request a new one",
    );
  if (!grant)
    throw new NotFound("not a grant capability (43 characters from the grant response; a grant id is not one)");
  const id = grant.id;
  if (grant.revoked) throw new ApiError(403, "revoked", `grant ${id} was revoked`);
  if (grant.expiresAt <= now)
    throw new ApiError(
      410,
      "expired",
      `grant ${id} expired at ${new Date(grant.expiresAt).toISOString()}; request a new one`,
    );
  refuseDistrustedKeys(grant.files, distrust, "this grant holds");
  const drift = await grantDrift(db, grant.files);
  if (drift.yanked.length)
    throw new ApiError(
      409,
      "yanked",
      `yanked since this grant was issued: ${drift.yanked.map((y) => `${y.id} (${yankWords(y)})`).join(", ")}; request a new grant`,
    );
  if (drift.resigned.length)
    throw new ApiError(
      409,
      "resigned",
      `re-signed since this grant was issued: ${drift.resigned.map((r) => `${r.file} (now key ${r.keyId})`).join(", ")}; request a new grant`,
    );
  return grant;
}

export async function signedEntries(grant: GrantRecord, signer: UrlSigner): Promise<ManifestEntry[]> {
  return Promise.all(
    grant.files.map(async (f) => ({
      kind: f.kind,
      name: f.name,
      version: f.version,
      file: f.file,
      size: f.size,
      sha256: f.sha256,
      url: await signer.sign(grant, artifactOf(f)),
      sigFile: f.sigFile,
      sigSize: f.sigSize,
      sigUrl: await signer.sign(grant, signatureOf(f)),
      keyId: f.keyId,
    })),
  );
}

export const GRANT_FORMATS = [...MANIFEST_FORMATS, "bundle.tar"] as const;

/** Where a grant's JSON lives; its formats are under it. */
export const grantUrl = (origin: string, capability: string) => `${origin}/api/v1/grants/${capability}`;

export type GrantView = ReturnType<typeof grantView>;

/** The grant as its owner sees it; the links carry the capability (the id alone opens none of them). */
export function grantView(
  grant: GrantRecord,
  capability: string,
  entries: ManifestEntry[],
  origin: string,
  signer: UrlSigner["strategy"],
) {
  const base = grantUrl(origin, capability);
  return {
    id: grant.id,
    capability,
    createdAt: new Date(grant.createdAt).toISOString(),
    expiresAt: new Date(grant.expiresAt).toISOString(),
    signer,
    fileCount: grant.fileCount,
    totalBytes: grant.totalBytes,
    files: entries,
    links: Object.fromEntries(GRANT_FORMATS.map((f) => [f, `${base}/${f}`])) as Record<
      (typeof GRANT_FORMATS)[number],
      string
    >,
  };
}
