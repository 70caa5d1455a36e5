// The admin bearer check, shared by every sub-app under /api/v1/admin: each applies it itself, so
// the order in which app.ts mounts them cannot leave one open.
import { timingSafeEqual } from "node:crypto";
import { bearerAuth } from "hono/bearer-auth";
import { config } from "./env";

const sha256 = (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));

/**
 * The token and ADMIN_TOKEN are compared as SHA-256 digests, always 32 bytes, in constant time: a
 * plain compare would stop at the first differing byte, and a length check first would tell a
 * guesser the token's length. Hashing both sides makes the work the same whatever was sent.
 */
export async function isAdminToken(token: string, adminToken: string): Promise<boolean> {
  const [given, expected] = await Promise.all([sha256(token), sha256(adminToken)]);
  return timingSafeEqual(new Uint8Array(given), new Uint8Array(expected));
}

export const adminBearer = bearerAuth({
  verifyToken: (token, c) => isAdminToken(token, config(c.env as Env).ADMIN_TOKEN),
});
