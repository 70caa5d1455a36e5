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

/** The ids of the revoked keys: nothing whose trust rests on one of them is offered or served. */
export const revokedKeyIds = (keys: readonly TrustedKey[]): ReadonlySet<string> =>
  new Set(keys.filter((k) => k.revoked).map((k) => k.id));
