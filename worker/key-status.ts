// The lifecycle of the keys in TRUSTED_PUBLIC_KEYS: a key is current until it is revoked or its
// notAfter passes. Only current keys make anything trusted; the others stay listed so users can still
// check old downloads and see why a key no longer counts.
/** What the lifecycle needs of a key (env.ts's TrustedKey has it); structural, so Node scripts share it. */
type TrustedKey = { id: string; revoked: boolean; revokedAt?: string; notAfter?: string };

export type KeyStatus = "current" | "revoked" | "expired";

export function keyStatus(key: TrustedKey, now: number): KeyStatus {
  if (key.revoked) return "revoked";
  if (key.notAfter && Date.parse(key.notAfter) < now) return "expired";
  return "current";
}

/** Why a key that is not current may not sign: "revoked key X" or "key X, which expired 2026-01-31". */
export function keyRefusal(key: TrustedKey, now: number): string | null {
  const status = keyStatus(key, now);
  if (status === "revoked") return `revoked key ${key.id}${key.revokedAt ? ` (revoked ${key.revokedAt})` : ""}`;
  if (status === "expired") return `key ${key.id}, which expired ${key.notAfter}`;
  return null;
}

/** The key /spectro_public_key.pem serves: the first current key, else (all retired) the first. */
export const defaultKey = <K extends TrustedKey>(keys: readonly K[], now: number) =>
  keys.find((k) => keyStatus(k, now) === "current") ?? keys[0];

/** Why nothing may be handed out under a key ("revoked key X", …), or null when it may. */
export type KeyDistrust = (keyId: string) => string | null;

/**
 * The download edge's test of a file's key, from the settings alone: a revoked key, and an id the
 * settings no longer list at all (an operator who deletes a leaked key's entry instead of marking it
 * revoked), hand out nothing. Unlisted is refused here only, and undone by listing the key again;
 * `"revoked": true` also withdraws the key's content from the catalog, for good (key-reconcile.ts).
 */
export function keyDistrust(keys: readonly TrustedKey[]): KeyDistrust {
  const byId = new Map(keys.map((k) => [k.id, k]));
  return (keyId) => {
    const key = byId.get(keyId);
    if (!key) return `key ${keyId}, which this studio no longer trusts (not in TRUSTED_PUBLIC_KEYS)`;
    return key.revoked ? `revoked key ${keyId}` : null;
  };
}
