-- A sync that neither sticks nor freezes (worker/sync/watch.ts, worker/sync/folders.ts).
-- Each step of a release's verifying Workflow notes its progress on the release; a Workflow that
-- shows none for `stall_after_ms` (derived from the release's largest file) is terminated and the
-- release retried as a new attempt.
ALTER TABLE `releases` ADD `progress_at` integer;
--> statement-breakpoint
ALTER TABLE `releases` ADD `progress` text;
--> statement-breakpoint
ALTER TABLE `releases` ADD `stall_after_ms` integer;
--> statement-breakpoint
-- Folders under incoming/ without release.json, with when the sync first saw each: one still without
-- a signed release.json after ABANDONED_UPLOAD_HOURS is quarantined as an abandoned upload.
CREATE TABLE `upload_folders` (
	`id` text PRIMARY KEY NOT NULL,
	`first_seen_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
-- Where the paged listing of incoming/ resumes: the last folder the previous run looked at (one row).
CREATE TABLE `sync_cursor` (
	`id` integer PRIMARY KEY NOT NULL,
	`after` text,
	`updated_at` integer NOT NULL
);
