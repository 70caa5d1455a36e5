// Version ranges: whether a version lies in a product range or a pack dependency's range. The order
// itself (versionSortKey, compareVersions) is part of the vocabulary.
import { compareVersions } from "../domain/vocabulary";

/** True when version lies in [min, max]; an absent end is open. */
export function inVersionRange(version: string, min?: string | null, max?: string | null): boolean {
  return (!min || compareVersions(version, min) >= 0) && (!max || compareVersions(version, max) <= 0);
}

/**
 * Range check for pack dependencies, as people write them: a maximum with fewer than three parts
 * covers its whole line, so "<= 1.31" admits 1.31.9 (while inVersionRange would stop at 1.31.0).
 */
export function inDependencyRange(version: string, min?: string | null, max?: string | null): boolean {
  if (min && compareVersions(version, min) < 0) return false;
  if (!max) return true;
  const core = (v: string) => v.replace(/^v/i, "").split(/[-+]/)[0].split(".");
  const maxParts = core(max);
  if (maxParts.length >= 3 || /[-+]/.test(max)) return compareVersions(version, max) <= 0;
  return compareVersions(core(version).slice(0, maxParts.length).join("."), max) <= 0;
}
