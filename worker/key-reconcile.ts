// Revocation is distrust, at once: the first request (or sync run) that sees a different set of
// revoked keys in TRUSTED_PUBLIC_KEYS than the catalog was last reconciled with withdraws what each
// newly revoked key signed, in one audited batch per key, before it answers. Each isolate remembers
// the set it reconciled, so the steady state costs one tiny read per isolate and nothing after.
// The download paths also check each served file's key against the env (key-status.ts, keyDistrust), and refuse keys the env no longer lists at all,
// so nothing signed by a revoked key leaves even before the reconcile has committed.
import type { MiddlewareHandler } from "hono";
import { primary } from "./db/client";
import { recordIncident, revokedOnRecord } from "./db/key-trust";
import { ConfigError, config, type TrustedKey } from "./env";

/** The revoked set each env (one per isolate in production) was last reconciled with. */
const reconciledFor = new WeakMap<object, string>();

export const revocationReason = (key: Pick<TrustedKey, "id" | "revokedAt">) =>
  `signing key ${key.id} was revoked${key.revokedAt ? ` on ${key.revokedAt}` : ""}; re-signed releases bring its files back`;

/**
 * Brings the catalog in line with the revoked keys in TRUSTED_PUBLIC_KEYS: newly revoked keys
 * withdraw what rests on them (and roll back the metadata they wrote). One way only: settings that
 * list a recorded key as current again (an isolate still running the previous version during a
 * deploy, or a mistake) lift nothing, so a leaked key's content cannot come back through them; a
 * re-signed release by a current key is what brings content back. Expiry (notAfter) is not
 * revocation: what a key signed before it stays. Returns the keys it withdrew for.
 */
export async function reconcileRevocations(env: Env, now = Date.now()): Promise<string[]> {
  let keys: readonly TrustedKey[];
  try {
    keys = config(env).TRUSTED_PUBLIC_KEYS;
  } catch (err) {
    if (err instanceof ConfigError) return []; // the routes answer the misconfiguration
    throw err;
  }
  const revoked = keys.filter((k) => k.revoked);
  const fingerprint = revoked
    .map((k) => k.id)
    .sort()
    .join(",");
  if (reconciledFor.get(env) === fingerprint) return [];
  const db = primary(env);
  const recorded = await revokedOnRecord(db);
  const newly = revoked.filter((k) => !recorded.includes(k.id));
  for (const key of newly) {
    const reason = revocationReason(key);
    const incident = { keyId: key.id, cause: "revoked" as const, reason, now, action: "revoke-key" };
    await recordIncident(db, { ...incident, auditId: crypto.randomUUID() });
  }
  reconciledFor.set(env, fingerprint);
  return newly.map((k) => k.id);
}

/** Every request reconciles first, so its answer already reflects the keys as configured. */
export const reconcileKeyTrust: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  try {
    await reconcileRevocations(c.env);
  } catch (err) {
    // D1 unreachable: answer anyway (the download paths still refuse revoked keys from the settings);
    // nothing was remembered, so the next request tries again.
    console.error("key trust: reconcile failed", err);
  }
  await next();
};
