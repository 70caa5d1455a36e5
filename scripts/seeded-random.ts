// mulberry32: a tiny seeded generator, so a benchmark or a test builds the same catalog every run.
// Shared by the bench's synthetic catalog (bench-catalog-data.ts) and the workerd tests that seed one.

export type SeededRandom = ReturnType<typeof seededRandom>;

export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const chance = (p: number) => next() < p;
  /** One to `max` distinct items. */
  const some = <T>(items: readonly T[], max: number): T[] => {
    const chosen = new Set<T>();
    for (let i = 1 + Math.floor(next() * max); i > 0; i--) chosen.add(pick(items));
    return [...chosen];
  };
  return { next, pick, chance, some };
}
