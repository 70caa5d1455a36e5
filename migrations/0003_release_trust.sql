CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`reason` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_by_at` ON `audit_events` (`at`);--> statement-breakpoint
ALTER TABLE `pack_versions` ADD `object_etag` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `pack_versions` ADD `signature_etag` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `pack_versions_file_name` ON `pack_versions` (`file_name`);--> statement-breakpoint
CREATE INDEX `pack_versions_by_key` ON `pack_versions` (`key_id`);--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `object_etag` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `signature_etag` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `yanked` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `yanked_at` integer;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `yank_reason` text;--> statement-breakpoint
CREATE UNIQUE INDEX `release_artifacts_file_name` ON `release_artifacts` (`file_name`);--> statement-breakpoint
CREATE INDEX `release_artifacts_by_key` ON `release_artifacts` (`key_id`);--> statement-breakpoint
ALTER TABLE `releases` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `releases` ADD `key_id` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `workflow_id` text;--> statement-breakpoint
ALTER TABLE `sync_runs` ADD `verifying` integer DEFAULT 0 NOT NULL;