// The trusted keys as users see them: TRUSTED_PUBLIC_KEYS and the catalog's record of distrust
// (distrusted_keys). Revocation is one way (key-reconcile.ts), so a key recorded as revoked is shown
// revoked, with the recorded time, even by settings that list it as current again; a key yanked by an
// admin is shown "yanked": not a revocation (the settings' operator did not retire it) but it signs
// nothing new and everything it signed was withdrawn. Read per request by the routes that show a key's
// status (keys, /verify, publish config, a grant's key files): one read of a table of a few rows.
import { primary } from "./db/client";
import { type DistrustRecord, distrustRecord } from "./db/key-trust";
import { config, type TrustedKey } from "./env";

export type KeyOnRecord = TrustedKey & { yankedAt?: string };

const iso = (at: number) => new Date(at).toISOString();

/** The settings' keys with the record applied: recorded revocations and yanks override "current". */
export function keysOnRecord(keys: readonly TrustedKey[], record: DistrustRecord): KeyOnRecord[] {
  return keys.map((key) => {
    const revoked = record.find((r) => r.keyId === key.id && r.cause === "revoked");
    if (revoked) return { ...key, revoked: true, revokedAt: key.revokedAt ?? iso(revoked.at) };
    const yanked = record.find((r) => r.keyId === key.id && r.cause === "yanked");
    return yanked ? { ...key, yankedAt: iso(yanked.at) } : key;
  });
}

/** This request's trusted keys as the settings and the catalog's record have them. */
export async function trustedKeysOnRecord(env: Env): Promise<KeyOnRecord[]> {
  const keys = config(env).TRUSTED_PUBLIC_KEYS;
  return keysOnRecord(keys, await distrustRecord(primary(env)));
}
