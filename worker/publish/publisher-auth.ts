// Publisher tokens: random, shown once, stored as SHA-256 only, revocable, and scoped to publishing
// (never to grants or admin), optionally to release ids that start with a prefix. Each request is
// rate limited per token before it touches R2.
import type { Db } from "../db/client";
import { findActivePublisherToken, touchPublisherToken } from "../db/publisher-tokens";
import { ApiError, badField } from "../errors";
import { randomBase64url, sha256OfText } from "../encoding";
import { RELEASE_ID_PATTERN } from "../sync/release-manifest";

/** Distinct from API tokens' "ast_", so a leaked token says at once what it can do. */
const PUBLISHER_TOKEN_PREFIX = "asp_";

export const generatePublisherToken = () => PUBLISHER_TOKEN_PREFIX + randomBase64url(32);
export const hashPublisherToken = (token: string) => sha256OfText(token);

export type Publisher = { id: string; name: string; releasePrefix: string | null };

const unauthorized = () =>
  new ApiError(401, "unauthorized", "the publisher token is unknown or revoked", undefined, {
    "WWW-Authenticate": 'Bearer realm="artifact-studio-publish"',
  });

/** The live publisher behind a bearer token (looked up at the primary: a revocation counts at once), rate limited. */
export async function authenticatePublisher(
  env: Env,
  db: Db,
  authorization: string | undefined,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Publisher> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!token?.startsWith(PUBLISHER_TOKEN_PREFIX)) throw unauthorized();
  const record = await findActivePublisherToken(db, await hashPublisherToken(token));
  if (!record) throw unauthorized();
  const { success } = await env.PUBLISH_LIMITER.limit({ key: `publisher:${record.id}` });
  if (!success)
    throw new ApiError(429, "rate_limited", "too many publish requests for this token; retry in a minute", undefined, {
      "Retry-After": "60",
    });
  // "Last used" to the minute: a push of a thousand objects is not a thousand D1 writes.
  const now = Date.now();
  if (!record.lastUsedAt || now - record.lastUsedAt > 60_000) waitUntil(touchPublisherToken(db, record.id, now));
  return { id: record.id, name: record.name, releasePrefix: record.releasePrefix };
}

/** A release id the publisher may write: a slug, and inside the token's prefix. */
export function assertMayPublish(publisher: Publisher, releaseId: string): void {
  if (!RELEASE_ID_PATTERN.test(releaseId))
    throw badField("releaseId", "must be a lower-case slug (a release folder name)");
  if (publisher.releasePrefix !== null && !releaseId.startsWith(publisher.releasePrefix))
    throw new ApiError(
      403,
      "forbidden",
      `releaseId: the publisher token "${publisher.name}" may only publish release ids starting with "${publisher.releasePrefix}"`,
      [{ field: "releaseId", message: `must start with "${publisher.releasePrefix}"` }],
    );
}
