// D1 table of the publish API: publisher tokens. Like API tokens, only the SHA-256 of a token is
// stored and the token is shown once; a publisher token may only upload to and sync release ids
// that start with its prefix (every id when it has none). What they do goes to audit_events.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const publisherTokens = sqliteTable("publisher_tokens", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  /** Release ids this token may publish start with this; null: any release id. */
  releasePrefix: text("release_prefix"),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
});

export type PublisherTokenRecord = typeof publisherTokens.$inferSelect;
