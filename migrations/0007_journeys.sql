-- Issue 10: provenance that travels (the verified release.json and its signature, kept as blobs).
ALTER TABLE `releases` ADD `manifest_key` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_etag` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_size` integer;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_key` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_etag` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_size` integer;
--> statement-breakpoint
-- Incremental mirroring: the catalog generation at which each artifact was published and yanked.
ALTER TABLE `pack_versions` ADD `published_generation` integer;--> statement-breakpoint
ALTER TABLE `pack_versions` ADD `yanked_generation` integer;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `published_generation` integer;--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `yanked_generation` integer;--> statement-breakpoint
UPDATE `pack_versions` SET `published_generation` = 0;--> statement-breakpoint
UPDATE `pack_versions` SET `yanked_generation` = 0 WHERE `yanked` = 1;--> statement-breakpoint
UPDATE `release_artifacts` SET `published_generation` = 0;--> statement-breakpoint
UPDATE `release_artifacts` SET `yanked_generation` = 0 WHERE `yanked` = 1;--> statement-breakpoint
CREATE INDEX `pack_versions_by_published_generation` ON `pack_versions` (`published_generation`);--> statement-breakpoint
CREATE INDEX `pack_versions_by_yanked_generation` ON `pack_versions` (`yanked_generation`);--> statement-breakpoint
CREATE INDEX `release_artifacts_by_published_generation` ON `release_artifacts` (`published_generation`);--> statement-breakpoint
CREATE INDEX `release_artifacts_by_yanked_generation` ON `release_artifacts` (`yanked_generation`);
--> statement-breakpoint
-- The container images each pack version ships (pack.json content.images, from the signed manifest).
CREATE TABLE `pack_version_images` (
	`pack_version_id` text NOT NULL,
	`reference` text NOT NULL,
	`repository` text NOT NULL,
	`tag` text,
	`digest` text NOT NULL,
	PRIMARY KEY(`pack_version_id`, `reference`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `images_by_repository` ON `pack_version_images` (`repository`,`tag`);--> statement-breakpoint
CREATE INDEX `images_by_tag` ON `pack_version_images` (`tag`);--> statement-breakpoint
CREATE INDEX `images_by_digest` ON `pack_version_images` (`digest`);
