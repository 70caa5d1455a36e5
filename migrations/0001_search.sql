-- Full-text search over packs (name, display name, description, add-on type), kept in step with the
-- packs table by triggers so that no writer can forget it. drizzle-kit cannot express FTS5, hence SQL.
CREATE VIRTUAL TABLE `pack_search` USING fts5(
  name, display_name, description, addon_type,
  content='packs', content_rowid='rowid', prefix='2 3'
);
--> statement-breakpoint
CREATE TRIGGER `packs_search_insert` AFTER INSERT ON `packs` BEGIN
  INSERT INTO pack_search(rowid, name, display_name, description, addon_type)
  VALUES (new.rowid, new.name, new.display_name, new.description, coalesce(new.addon_type, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `packs_search_delete` AFTER DELETE ON `packs` BEGIN
  INSERT INTO pack_search(pack_search, rowid, name, display_name, description, addon_type)
  VALUES ('delete', old.rowid, old.name, old.display_name, old.description, coalesce(old.addon_type, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `packs_search_update` AFTER UPDATE ON `packs` BEGIN
  INSERT INTO pack_search(pack_search, rowid, name, display_name, description, addon_type)
  VALUES ('delete', old.rowid, old.name, old.display_name, old.description, coalesce(old.addon_type, ''));
  INSERT INTO pack_search(rowid, name, display_name, description, addon_type)
  VALUES (new.rowid, new.name, new.display_name, new.description, coalesce(new.addon_type, ''));
END;
--> statement-breakpoint
INSERT INTO `catalog_state` (`id`, `generation`) VALUES (1, 0);
