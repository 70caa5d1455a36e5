// How kept rows write what they hold: the bit each facet value has in a kept mask
// (pack_facet_profiles, pack_product_ranges) and in a product version count's combination
// (product_version_counts), and the keys that stand for a range's open ends.
import { type SQL, sql } from "drizzle-orm";
import type { Arch, Cloud, Layer, UseCase } from "../../domain/vocabulary";

/** The sentinels of an open range end in pack_product_ranges: every version key sorts between these two. */
export const OPEN_MIN = "";
export const OPEN_MAX = sql`char(1114111)`;

/**
 * Where each facet value sits in a profile's mask. Each value has its own fixed bit, not one derived
 * from the vocabulary's order, because kept masks (and migrations 0010 and 0011's backfills) hold them: a new
 * value takes a free bit, and reordering a list changes nothing. A version whose clouds are "all"
 * has every cloud's bit, as the cloud filter reads it.
 */
export const FACET_BITS = {
  useCase: { controller: 1 << 0, agent: 1 << 1, addon: 1 << 2 },
  cloud: {
    aws: 1 << 3,
    azure: 1 << 4,
    gcp: 1 << 5,
    vsphere: 1 << 6,
    openstack: 1 << 7,
    maas: 1 << 8,
    "edge-native": 1 << 9,
  },
  layer: { os: 1 << 10, k8s: 1 << 11, cni: 1 << 12, csi: 1 << 13, addon: 1 << 14 },
  arch: { amd64: 1 << 15, arm64: 1 << 16 },
  fips: { true: 1 << 17, false: 1 << 18 },
} as const satisfies {
  useCase: Record<UseCase, number>;
  cloud: Record<Cloud, number>;
  layer: Record<Layer, number>;
  arch: Record<Arch, number>;
  fips: Record<"true" | "false", number>;
};

const CHOICES = [
  ["u", FACET_BITS.useCase],
  ["c", FACET_BITS.cloud],
  ["l", FACET_BITS.layer],
  ["a", FACET_BITS.arch],
  ["f", FACET_BITS.fips],
] as const;

/**
 * How a mask is split into the combinations a count is kept for: `joins` (CROSS JOINs, so each
 * facet's choices are tested against `mask`, not crossed first and tested after) give one row per
 * choice of at most one of its bits a facet, 0 for "any", and `bits` sums a row's choices.
 */
export function combinationsOf(mask: SQL): { joins: SQL; bits: SQL } {
  const joins = CHOICES.map(
    ([alias, bits]) =>
      sql`CROSS JOIN json_each(${JSON.stringify([0, ...Object.values(bits)])}) ${sql.raw(alias)} ON ${sql.raw(alias)}.value = 0 OR ${mask} & ${sql.raw(alias)}.value`,
  );
  return { joins: sql.join(joins, sql`\n        `), bits: sql`u.value + c.value + l.value + a.value + f.value` };
}
