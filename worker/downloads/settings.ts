// Settings that only one download strategy needs, demanded when that strategy is used: a missing
// secret then fails the download path with the variable named (503 "misconfigured") and nothing else.
import { z } from "zod";
import { fromCanonicalBase64 } from "../encoding";
import { type Config, ConfigError } from "../env";

const signingKey = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "key ids are 1-32 of [A-Za-z0-9_-]"),
  secret: z
    .string()
    .refine(
      (s) => (fromCanonicalBase64(s)?.byteLength ?? 0) >= 32,
      "must be base64 of at least 32 bytes, canonically encoded",
    ),
});

export type SigningKey = { id: string; secret: Uint8Array<ArrayBuffer> };

const parsedKeys = new WeakMap<Config, SigningKey[]>();

/** DOWNLOAD_SIGNING_KEYS: the first key signs; every key listed still verifies, for rotation. */
export function signingKeys(cfg: Config): SigningKey[] {
  const cached = parsedKeys.get(cfg);
  if (cached) return cached;
  if (!cfg.DOWNLOAD_SIGNING_KEYS)
    throw new ConfigError("worker misconfigured: DOWNLOAD_SIGNING_KEYS is required when DOWNLOAD_SIGNER is worker");
  let json: unknown;
  try {
    json = JSON.parse(cfg.DOWNLOAD_SIGNING_KEYS);
  } catch {
    throw new ConfigError('worker misconfigured: DOWNLOAD_SIGNING_KEYS must be JSON [{"id","secret"}]');
  }
  const result = z.array(signingKey).min(1, "needs at least one key").safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`worker misconfigured: DOWNLOAD_SIGNING_KEYS.${issue.path.join(".")}: ${issue.message}`);
  }
  const keys = result.data.map((k) => ({ id: k.id, secret: fromCanonicalBase64(k.secret)! }));
  parsedKeys.set(cfg, keys);
  return keys;
}

export type R2Credentials = { accountId: string; accessKeyId: string; secretAccessKey: string; bucket: string };

export function r2Credentials(cfg: Config): R2Credentials {
  const missing = (["R2_ACCOUNT_ID", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "R2_BUCKET_NAME"] as const).filter(
    (k) => !cfg[k],
  );
  if (missing.length)
    throw new ConfigError(`worker misconfigured: ${missing.join(", ")} required when DOWNLOAD_SIGNER is r2`);
  return {
    accountId: cfg.R2_ACCOUNT_ID!,
    accessKeyId: cfg.R2_ACCESS_KEY_ID!,
    secretAccessKey: cfg.R2_SECRET_ACCESS_KEY!,
    bucket: cfg.R2_BUCKET_NAME!,
  };
}
