// D1 tables of the download handoff: the grant audit trail and the automation API tokens.
// Re-exported from schema.ts so drizzle-kit and the db client see one schema.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/**
 * Every grant issued: who asked (IP, country, user agent, or the API token), what they asked for,
 * and the resolved files. The files are kept so that manifests, the tar and /dl can be served later
 * from the grant alone, and so an auditor sees exactly what was handed out. GRANT_RETENTION_DAYS
 * after it expires, a grant is archived to R2 (audit/grants/, one JSON line each) and leaves D1.
 */
export const grants = sqliteTable(
  "grants",
  {
    id: text("id").primaryKey(), // 128 random bits, base64url; public: every /dl URL of the grant shows it
    /** SHA-256 (hex) of the grant's capability, the secret that opens its JSON, manifests and tar. */
    capabilityHash: text("capability_hash").unique(),
    createdAt: integer("created_at").notNull().default(now),
    clientIp: text("client_ip"),
    clientCountry: text("client_country"),
    userAgent: text("user_agent"),
    tokenId: text("token_id"), // set when an API token, not a captcha, authorised the grant
    request: text("request", { mode: "json" }).notNull(), // the validated selection, as asked
    files: text("files", { mode: "json" }).notNull(), // GrantFile[] (worker/db/grant-queries.ts)
    fileCount: integer("file_count").notNull(),
    totalBytes: integer("total_bytes").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revoked: integer("revoked", { mode: "boolean" }).notNull().default(false),
    revokedAt: integer("revoked_at"),
  },
  // grants_by_expiry: the retention job's batch, oldest expiry first (worker/downloads/grant-retention.ts).
  (t) => [index("grants_by_created").on(t.createdAt), index("grants_by_expiry").on(t.expiresAt, t.id)],
);

/** API tokens for automation. Only the SHA-256 of a token is stored; the token is shown once. */
export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  scopes: text("scopes", { mode: "json" }).notNull().$type<string[]>(),
  createdAt: integer("created_at").notNull().default(now),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
});
