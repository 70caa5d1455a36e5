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
