// API tokens for automation: random, shown once, stored as SHA-256 only, scoped and revocable.
import { z } from "zod";
import type { Db } from "../db/client";
import { findActiveTokenByHash, touchApiToken } from "../db/grant-queries";
import { ApiError } from "../errors";
import { randomBase64url, sha256OfText } from "../encoding";

const TOKEN_SCOPES = ["grants:create", "manifests:read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const newTokenRequest = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length),
});

const TOKEN_PREFIX = "ast_";

export function generateToken(): string {
  return TOKEN_PREFIX + randomBase64url(32);
}

export const hashToken = (token: string): Promise<string> => sha256OfText(token);

export const bearerOf = (authorization: string | null | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m?.[1];
};

export type TokenPrincipal = { id: string; name: string; scopes: string[] };

/**
 * The token's owner if it is live and carries the scope: 401 for an unknown or revoked token,
 * 403 for a missing scope. Looked up at the primary so a revocation takes effect at once.
 */
export async function authenticateToken(
  db: Db,
  token: string,
  scope: TokenScope,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<TokenPrincipal> {
  const record = token.startsWith(TOKEN_PREFIX) ? await findActiveTokenByHash(db, await hashToken(token)) : undefined;
  if (!record)
    throw new ApiError(401, "unauthorized", "the API token is unknown or revoked", undefined, {
      "WWW-Authenticate": 'Bearer realm="artifact-studio"',
    });
  if (!record.scopes.includes(scope))
    throw new ApiError(403, "forbidden", `the API token "${record.name}" lacks the ${scope} scope`);
  waitUntil(touchApiToken(db, record.id, Date.now()));
  return { id: record.id, name: record.name, scopes: record.scopes };
}
