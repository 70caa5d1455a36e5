// Version ordering for SQL. Pack and product versions are dotted numbers ("1.29.3", "22.04",
// "4.6.12"), sometimes with a suffix ("1.30.1-rc1"). Each numeric part is zero-padded so that plain
// string comparison in SQL orders versions the way people do, and range checks can run in an index.

const PART_WIDTH = 8;

export function versionSortKey(version: string): string {
  const [core, ...suffix] = version.replace(/^v/i, "").split(/[-+]/);
  const parts = core.split(".").map((part) => (/^\d+$/.test(part) ? part.padStart(PART_WIDTH, "0") : part));
  while (parts.length < 4) parts.push("0".repeat(PART_WIDTH));
  // A pre-release sorts before its release: "~" is the highest printable ASCII character.
  return parts.join(".") + (suffix.length ? `-${suffix.join("-")}` : "~");
}

export function compareVersions(a: string, b: string): number {
  const ka = versionSortKey(a);
  const kb = versionSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

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
