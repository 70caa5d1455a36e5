-- Issue 10: provenance that travels (the verified release.json and its signature, kept as blobs).
ALTER TABLE `releases` ADD `manifest_key` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_etag` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_size` integer;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_key` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_etag` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `manifest_signature_size` integer;
