// Queries of the publish API: publisher tokens (created, found by hash, revoked) and the audit
// events that record what each token did.
import { and, desc, eq, getTableColumns, isNull } from "drizzle-orm";
import type { Db } from "./client";
import { auditEvents, type PublisherTokenRecord, publisherTokens } from "./schema";

export type PublisherTokenView = Omit<PublisherTokenRecord, "tokenHash">;

export async function insertPublisherToken(db: Db, token: PublisherTokenRecord): Promise<PublisherTokenView> {
  const { tokenHash: _hash, ...columns } = getTableColumns(publisherTokens);
  const [row] = await db.insert(publisherTokens).values(token).returning(columns);
  return row;
}

export async function findActivePublisherToken(db: Db, tokenHash: string): Promise<PublisherTokenRecord | undefined> {
  const [row] = await db
    .select()
    .from(publisherTokens)
    .where(and(eq(publisherTokens.tokenHash, tokenHash), isNull(publisherTokens.revokedAt)));
  return row;
}

export async function listPublisherTokens(db: Db): Promise<PublisherTokenView[]> {
  const { tokenHash: _hash, ...columns } = getTableColumns(publisherTokens);
  return db.select(columns).from(publisherTokens).orderBy(desc(publisherTokens.createdAt));
}

export async function revokePublisherToken(db: Db, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(publisherTokens)
    .set({ revokedAt: now })
    .where(and(eq(publisherTokens.id, id), isNull(publisherTokens.revokedAt)))
    .returning({ id: publisherTokens.id });
  return rows.length > 0;
}

export const touchPublisherToken = (db: Db, id: string, now: number) =>
  db.update(publisherTokens).set({ lastUsedAt: now }).where(eq(publisherTokens.id, id));

/** One audit event of the publish API: who (token), what (action), on which release or object. */
export const auditPublish = (
  db: Db,
  event: { action: string; subject: string; tokenId: string; details?: Record<string, unknown> },
) =>
  db.insert(auditEvents).values({
    id: crypto.randomUUID(),
    at: Date.now(),
    action: event.action,
    subject: event.subject,
    reason: null,
    details: { tokenId: event.tokenId, ...event.details },
  });
