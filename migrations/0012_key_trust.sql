-- Key incidents that leave nothing behind (worker/db/key-trust.ts).
-- A pack version or installer withdrawn because a key it rests on was revoked or yanked names that
-- key here (an admin's yank of the version alone leaves it NULL), so a re-signed release can bring
-- it back while a version yanked by hand stays yanked.
ALTER TABLE `pack_versions` ADD `withdrawn_by_key` text;
--> statement-breakpoint
ALTER TABLE `release_artifacts` ADD `withdrawn_by_key` text;
--> statement-breakpoint
-- sha256 of the version's own signed entry in release.json (without keys and pack-wide fields): a
-- re-signed release may move a version to a new key only if it says the same about it.
ALTER TABLE `pack_versions` ADD `entry_sha256` text;
--> statement-breakpoint
-- The keys the catalog no longer trusts: "revoked" as TRUSTED_PUBLIC_KEYS last said when the catalog
-- was reconciled (the fingerprint each isolate compares once), "yanked" by an admin's key yank.
CREATE TABLE `distrusted_keys` (
	`key_id` text NOT NULL,
	`cause` text NOT NULL,
	`at` integer NOT NULL,
	`reason` text,
	PRIMARY KEY(`key_id`, `cause`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Every product-level and pack-level metadata state, with the release (and its manifest's key) that
-- wrote it; a key yank restores each subject to its last state written under a trusted key.
CREATE TABLE `metadata_history` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`release_id` text,
	`key_id` text,
	`data` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `metadata_history_by_subject` ON `metadata_history` (`subject_kind`, `subject_id`, `seq`);
--> statement-breakpoint
CREATE INDEX `metadata_history_by_key` ON `metadata_history` (`key_id`);
--> statement-breakpoint
-- What is published today is the baseline (no release, no key: it predates the history).
INSERT INTO `metadata_history` (`subject_kind`, `subject_id`, `release_id`, `key_id`, `data`, `at`)
SELECT 'product', `id`, NULL, NULL,
  json_object('name', `name`, 'applianceName', `appliance_name`, 'fips', json(CASE WHEN `fips` THEN 'true' ELSE 'false' END), 'sortOrder', `sort_order`), 0
FROM `products`;
--> statement-breakpoint
INSERT INTO `metadata_history` (`subject_kind`, `subject_id`, `release_id`, `key_id`, `data`, `at`)
SELECT 'pack', `name`, NULL, NULL,
  json_object('displayName', `display_name`, 'addonType', `addon_type`, 'description', `description`, 'source', `source`), 0
FROM `packs`;
