// The domain's words, below everything: the layers, clouds, architectures, use cases, installer
// kinds and dependency types a release may name; how a product and a pack version are named (product
// id, PackRef, "name@version"); how versions are ordered and ranges written; a container image
// reference; the media sizes a download can be cut into. Pure values and functions without I/O, so
// the drizzle schema, the feature modules, the routes and the web/ views all import them from here
// (the import-direction rule in biome.json lets web/ import nothing else of worker/ at run time).
import { z } from "zod";

export const LAYERS = ["os", "k8s", "cni", "csi", "addon"] as const;
export const CLOUDS = ["aws", "azure", "gcp", "vsphere", "openstack", "maas", "edge-native"] as const;
export const ARCHES = ["amd64", "arm64"] as const;
export const USE_CASES = ["controller", "agent", "addon"] as const;
export const DEPENDENCY_TYPES = ["required", "optional", "notSupported", "upgrade"] as const;
export const INSTALLER_KINDS = ["content-bundle", "iso", "helm-chart"] as const;

export type Layer = (typeof LAYERS)[number];
export type Cloud = (typeof CLOUDS)[number];
export type Arch = (typeof ARCHES)[number];
export type UseCase = (typeof USE_CASES)[number];
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];
export type InstallerKind = (typeof INSTALLER_KINDS)[number];

/** A product id as URLs, bundle specs and grants carry it: the lower-case slug its release published. */
export const productId = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, "must be a product id like palette-enterprise");

/** A pack version: a bundle's part, a grant's line, a checkbox's value. */
export const packRef = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a pack name"),
  version: z.string().min(1).max(40),
});

export type PackRef = z.infer<typeof packRef>;

/** "name@version": how a pack version is written in URLs and lists, and equal to its pack_versions.id. */
export const packRefId = (ref: PackRef): string => `${ref.name}@${ref.version}`;

/** "name@version" back into a PackRef (split at the last "@"); undefined when it is not one. */
export function parseRef(text: string): PackRef | undefined {
  const at = text.lastIndexOf("@");
  if (at <= 0) return undefined;
  const parsed = packRef.safeParse({ name: text.slice(0, at), version: text.slice(at + 1) });
  return parsed.success ? parsed.data : undefined;
}

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

/** A version range as people read it: ">= 1.29 and <= 1.31", ">= 1.29", "<= 1.31", or "" for any. */
export function rangeText(min: string | null | undefined, max: string | null | undefined): string {
  if (min && max) return `>= ${min} and <= ${max}`;
  if (min) return `>= ${min}`;
  if (max) return `<= ${max}`;
  return "";
}

/** A container image a pack version ships, pinned by digest (`repository[:tag]@sha256:…`). */
export type ImageRef = { reference: string; repository: string; tag: string | null; digest: string };

/** Decimal capacities as sold (a 4.7 GB DVD holds 4,700,372,992 bytes), so a part always fits. */
export const PART_PRESETS = { dvd: 4_700_000_000, "dvd-dl": 8_500_000_000, bd: 25_000_000_000 } as const;
export type PartPreset = keyof typeof PART_PRESETS;

export const partCount = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** Zero-padded to at least 3 digits and to the count's width, so a shell glob lists parts in order. */
export const partSuffix = (n: number, count: number) =>
  `part-${String(n).padStart(Math.max(3, String(count).length), "0")}`;
