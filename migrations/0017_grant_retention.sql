-- Grant retention (worker/downloads/grant-retention.ts): the scheduled job archives grants that
-- expired more than GRANT_RETENTION_DAYS ago to R2 (audit/grants/) and deletes them from D1, oldest
-- expiry first. This index lets each run find its batch by reading only the rows it archives, not
-- the whole table (the id orders grants that expire in the same millisecond).
CREATE INDEX `grants_by_expiry` ON `grants` (`expires_at`,`id`);
