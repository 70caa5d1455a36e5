-- Publisher tokens (worker/db/publish-schema.ts): scoped to publishing, optionally to a release-id
-- prefix, stored as SHA-256 only. What a publisher does is audited in audit_events.
CREATE TABLE `publisher_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`release_prefix` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `publisher_tokens_token_hash_unique` ON `publisher_tokens` (`token_hash`);
