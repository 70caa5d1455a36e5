// Bindings come typed from `wrangler types` (worker-configuration.d.ts). String configuration is
// parsed here, once per isolate, so a misconfigured deployment fails loudly with the variable named.
import { createPublicKey } from "node:crypto";
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
  /** How long a grant's URLs stay valid; at most 7 days (the S3 presign limit). */
  GRANT_TTL_SECONDS: z.coerce.number().int().min(60).max(604800).default(86400),
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

export type Config = z.infer<typeof configSchema>;
export type TrustedKey = z.infer<typeof trustedKey>;

export class ConfigError extends Error {}

const parsed = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let cfg = parsed.get(env);
  if (!cfg) {
    const result = configSchema.safeParse(env);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
      throw new ConfigError(`worker misconfigured: ${problems.join("; ")}`);
    }
    cfg = result.data;
    parsed.set(env, cfg);
  }
  return cfg;
}
