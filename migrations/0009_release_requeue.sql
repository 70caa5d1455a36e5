-- An admin may re-queue a quarantined release (POST /api/v1/admin/releases/{id}/retry): the poison
-- budget then counts from the attempt it was re-queued at, while attempts keep numbering Workflows.
ALTER TABLE `releases` ADD `retried_at_attempt` integer DEFAULT 0 NOT NULL;
