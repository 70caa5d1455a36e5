// Bindings come typed from `wrangler types` (worker-configuration.d.ts). String configuration is
// parsed here, once per isolate, so a misconfigured deployment fails loudly with the variable named.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { z } from "zod";

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, "must be a date like 2027-06-30 or 2027-06-30T00:00:00Z")
  .refine((text) => !Number.isNaN(Date.parse(text)), "must be a real date");

/**
 * A key that may sign releases. `revoked` keys and keys past `notAfter` verify nothing new: the sync
 * refuses what they signed, and the key pages say so. The PEM must parse as an ECDSA P-256 or RSA
 * (>= 2048 bit) public key here, so a corrupt key fails the deployment instead of verifying nothing.
 */
const trustedKey = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "key ids are 1-64 of [A-Za-z0-9._-]")
      // Other keys ship as <id>.pem beside spectro_public_key.pem, which this id would overwrite.
      .refine((id) => id !== "spectro_public_key", "spectro_public_key is the default key's file name, not an id"),
    pem: z.string().includes("-----BEGIN PUBLIC KEY-----", { message: "must be a PEM SubjectPublicKeyInfo" }),
    revoked: z.boolean().default(false),
    /** When the key was revoked (information for the key pages). */
    revokedAt: isoDate.optional(),
    /** The last moment the sync accepts a release signed by this key. */
    notAfter: isoDate.optional(),
  })
  .superRefine((key, ctx) => {
    const problem = publicKeyProblem(key.pem);
    if (problem) ctx.addIssue({ code: "custom", path: ["pem"], message: `key ${key.id}: ${problem}` });
  });

function publicKeyProblem(pem: string): string | null {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return null;
    if (key.asymmetricKeyType === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return null;
    return `must be an ECDSA P-256 or RSA (>= 2048 bit) key, not ${key.asymmetricKeyType}`;
  } catch (err) {
    return `does not parse as a public key (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * The studio's own online signing key (TUF's snapshot role): it signs each grant's bundle list, and
 * nothing else. ECDSA P-256, PKCS#8 PEM; parsed here so a broken key fails the deployment loudly.
 */
const studioSigningKey = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "key ids are 1-64 of [A-Za-z0-9._-]")
      .refine((id) => id !== "spectro_public_key", "spectro_public_key is the default key's file name, not an id"),
    privateKey: z.string().includes("-----BEGIN PRIVATE KEY-----", { message: "must be a PKCS#8 PEM private key" }),
  })
  .transform((key, ctx) => {
    try {
      const secret = createPrivateKey(key.privateKey);
      if (secret.asymmetricKeyType !== "ec" || secret.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
        ctx.addIssue({ code: "custom", path: ["privateKey"], message: `key ${key.id}: must be an ECDSA P-256 key` });
        return z.NEVER;
      }
      const d = secret.export({ format: "jwk" }).d ?? "";
      const publicPem = createPublicKey(secret).export({ type: "spki", format: "pem" }).toString();
      return { id: key.id, scalar: new Uint8Array(Buffer.from(d, "base64url")), publicPem };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      ctx.addIssue({ code: "custom", path: ["privateKey"], message: `key ${key.id}: does not parse (${why})` });
      return z.NEVER;
    }
  });

export type StudioSigningKey = z.infer<typeof studioSigningKey>;

const jsonText = (name: string, shape: string) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be JSON ${shape}` });
      return z.NEVER;
    }
  });

const configSchema = z.object({
  /** "local" only under `npm start`/tests (from .dev.vars); everything unsafe is refused elsewhere. */
  ENVIRONMENT: z.enum(["local", "production"]).default("production"),
  /** Bearer token for /api/v1/admin; a wrangler secret. */
  ADMIN_TOKEN: z.string().min(24, "ADMIN_TOKEN must be at least 24 characters"),
  /** JSON list of the public keys releases may be signed with; the first is the default key. */
  TRUSTED_PUBLIC_KEYS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "TRUSTED_PUBLIC_KEYS must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(trustedKey)
        .min(1, "TRUSTED_PUBLIC_KEYS needs at least one key")
        .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, "key ids must be unique"),
    ),
  /**
   * The deployment name releases must carry in release.json's `audience` (e.g. "production",
   * "staging"): a release signed for one deployment is refused by every other.
   */
  RELEASE_AUDIENCE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "RELEASE_AUDIENCE must be 1-64 of [a-z0-9._-]")
    .default("production"),
  // Downloads. Settings only one strategy needs are optional here and demanded by that strategy
  // (worker/downloads/settings.ts), so a missing download secret never takes the catalog down.
  /** Captcha in front of grant issuance; "off" is refused unless ENVIRONMENT is "local". */
  CAPTCHA_PROVIDER: z.enum(["turnstile", "recaptcha", "off"]).default("turnstile"),
  /** The widget's public site key. */
  CAPTCHA_SITE_KEY: z.string().optional(),
  /** The siteverify secret; a wrangler secret. */
  CAPTCHA_SECRET: z.string().optional(),
  /** Who signs download URLs: the worker (HMAC, served under /dl) or R2 (S3 presigned URLs). */
  DOWNLOAD_SIGNER: z.enum(["worker", "r2"]).default("worker"),
  /** JSON [{"id","secret"}] with base64 secrets of >= 32 bytes; the first signs, all verify (rotation). */
  DOWNLOAD_SIGNING_KEYS: z.string().optional(),
  R2_ACCOUNT_ID: z.string().optional(),
  R2_ACCESS_KEY_ID: z.string().optional(),
  R2_SECRET_ACCESS_KEY: z.string().optional(),
  R2_BUCKET_NAME: z.string().optional(),
  /**
   * JSON [{"id","privateKey"}]: the studio's own ECDSA P-256 keys for the bundle lists. The first
   * signs; every one is served at /keys/<id>.pem (rotation). Demanded by the download paths.
   */
  STUDIO_SIGNING_KEYS: jsonText("STUDIO_SIGNING_KEYS", '[{"id","privateKey"}]')
    .pipe(
      z
        .array(studioSigningKey)
        .min(1, "STUDIO_SIGNING_KEYS needs at least one key")
        .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, "key ids must be unique"),
    )
    .optional(),
  /** How long a grant's URLs stay valid; at most 7 days (the S3 presign limit). */
  GRANT_TTL_SECONDS: z.coerce.number().int().min(60).max(604800).default(86400),
  /**
   * Days an expired grant stays in D1 (the admin API, support questions) before the scheduled job
   * archives it to R2 under audit/grants/ and deletes it (worker/downloads/grant-retention.ts).
   * At least 1 (a day to answer "why did my link stop"), at most 3650. 14 by default: at 100k grants a
   * day D1 then holds ~6.4 GB of grants, under its 10 GB limit; 30 days would be ~13 GB (docs/capacity.md).
   */
  GRANT_RETENTION_DAYS: z.coerce
    .number({ error: "GRANT_RETENTION_DAYS must be a whole number of days, like 14" })
    .int("GRANT_RETENTION_DAYS must be a whole number of days, like 14")
    .min(1, "GRANT_RETENTION_DAYS must be at least 1 (day)")
    .max(3650, "GRANT_RETENTION_DAYS must be at most 3650 (days)")
    .default(14),
  // The sync's fault handling (docs/releases.md, "When the sync meets faults").
  /** A folder under incoming/ still without a signed release.json this long after the sync first saw it is quarantined as abandoned. */
  ABANDONED_UPLOAD_HOURS: z.coerce.number().positive().max(2160).default(24),
  /**
   * A verifying Workflow that shows no progress for longer than this floor plus its release's largest
   * file at VERIFY_STALL_MIB_PER_SECOND is terminated and the release retried as a new attempt.
   */
  VERIFY_STALL_FLOOR_SECONDS: z.coerce.number().int().min(1).max(86400).default(600),
  /** A pace no healthy verification is slower than (SHA-256, signature and blob copy of one file). */
  VERIFY_STALL_MIB_PER_SECOND: z.coerce.number().positive().max(100000).default(10),
});

/** A studio key id must not be a publisher key's id: both are served as /keys/<id>.pem. */
const checkedConfig = configSchema.superRefine((cfg, ctx) => {
  const publisher = new Set(cfg.TRUSTED_PUBLIC_KEYS.map((k) => k.id));
  for (const key of cfg.STUDIO_SIGNING_KEYS ?? []) {
    if (publisher.has(key.id))
      ctx.addIssue({
        code: "custom",
        path: ["STUDIO_SIGNING_KEYS"],
        message: `key id ${key.id} is also a TRUSTED_PUBLIC_KEYS id; the studio's key needs an id of its own`,
      });
  }
});

export type Config = z.infer<typeof configSchema>;
export type TrustedKey = z.infer<typeof trustedKey>;

export class ConfigError extends Error {}

const parsed = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let cfg = parsed.get(env);
  if (!cfg) {
    const result = checkedConfig.safeParse(env);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
      throw new ConfigError(`worker misconfigured: ${problems.join("; ")}`);
    }
    cfg = result.data;
    parsed.set(env, cfg);
  }
  return cfg;
}
