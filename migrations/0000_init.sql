CREATE TABLE `catalog_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pack_dependencies` (
	`pack_version_id` text NOT NULL,
	`pack_name` text NOT NULL,
	`layer` text NOT NULL,
	`min_version` text,
	`max_version` text,
	`type` text NOT NULL,
	PRIMARY KEY(`pack_version_id`, `pack_name`, `type`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dependencies_by_target` ON `pack_dependencies` (`pack_name`);--> statement-breakpoint
CREATE TABLE `pack_version_arches` (
	`pack_version_id` text NOT NULL,
	`arch` text NOT NULL,
	PRIMARY KEY(`pack_version_id`, `arch`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `arches_by_arch` ON `pack_version_arches` (`arch`,`pack_version_id`);--> statement-breakpoint
CREATE TABLE `pack_version_clouds` (
	`pack_version_id` text NOT NULL,
	`cloud` text NOT NULL,
	PRIMARY KEY(`pack_version_id`, `cloud`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clouds_by_cloud` ON `pack_version_clouds` (`cloud`,`pack_version_id`);--> statement-breakpoint
CREATE TABLE `pack_version_products` (
	`pack_version_id` text NOT NULL,
	`product_id` text NOT NULL,
	`min_version` text,
	`max_version` text,
	`min_version_key` text,
	`max_version_key` text,
	PRIMARY KEY(`pack_version_id`, `product_id`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `products_by_product` ON `pack_version_products` (`product_id`,`pack_version_id`);--> statement-breakpoint
CREATE TABLE `pack_version_use_cases` (
	`pack_version_id` text NOT NULL,
	`use_case` text NOT NULL,
	PRIMARY KEY(`pack_version_id`, `use_case`),
	FOREIGN KEY (`pack_version_id`) REFERENCES `pack_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `use_cases_by_use_case` ON `pack_version_use_cases` (`use_case`,`pack_version_id`);--> statement-breakpoint
CREATE TABLE `pack_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`pack_name` text NOT NULL,
	`version` text NOT NULL,
	`version_key` text NOT NULL,
	`kernel` text,
	`eol` text,
	`fips` integer DEFAULT false NOT NULL,
	`file_name` text NOT NULL,
	`object_key` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`signature_file_name` text NOT NULL,
	`signature_key` text NOT NULL,
	`signature_size` integer NOT NULL,
	`key_id` text NOT NULL,
	`release_id` text NOT NULL,
	`published_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`yanked` integer DEFAULT false NOT NULL,
	`yanked_at` integer,
	`yank_reason` text,
	FOREIGN KEY (`pack_name`) REFERENCES `packs`(`name`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pack_versions_name_version` ON `pack_versions` (`pack_name`,`version`);--> statement-breakpoint
CREATE INDEX `pack_versions_by_pack` ON `pack_versions` (`pack_name`,`yanked`,`version_key`);--> statement-breakpoint
CREATE INDEX `pack_versions_by_fips` ON `pack_versions` (`fips`,`pack_name`);--> statement-breakpoint
CREATE TABLE `packs` (
	`name` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`layer` text NOT NULL,
	`addon_type` text,
	`description` text DEFAULT '' NOT NULL,
	`source` text DEFAULT 'spectrocloud' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `packs_by_layer` ON `packs` (`layer`,`name`);--> statement-breakpoint
CREATE TABLE `product_versions` (
	`product_id` text NOT NULL,
	`version` text NOT NULL,
	`version_key` text NOT NULL,
	`release_id` text NOT NULL,
	`published_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`product_id`, `version`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `product_versions_by_key` ON `product_versions` (`product_id`,`version_key`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`appliance_name` text NOT NULL,
	`fips` integer DEFAULT false NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `release_artifacts` (
	`product_id` text NOT NULL,
	`version` text NOT NULL,
	`kind` text NOT NULL,
	`file_name` text NOT NULL,
	`object_key` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`signature_file_name` text NOT NULL,
	`signature_key` text NOT NULL,
	`signature_size` integer NOT NULL,
	`key_id` text NOT NULL,
	`release_id` text NOT NULL,
	`published_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`product_id`, `version`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `releases` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`details` text,
	`file_count` integer,
	`total_bytes` integer,
	`run_id` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `releases_by_status` ON `releases` (`status`,`claimed_at`);--> statement-breakpoint
CREATE TABLE `sync_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`published` integer DEFAULT 0 NOT NULL,
	`quarantined` integer DEFAULT 0 NOT NULL,
	`uploading` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `sync_runs_by_start` ON `sync_runs` (`started_at`);