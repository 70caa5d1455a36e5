ALTER TABLE `grants` ADD `capability_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `grants_capability_hash_unique` ON `grants` (`capability_hash`);
