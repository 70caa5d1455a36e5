// A bundle spec: what the wizard builds and what a grant or a pre-generated manifest is made from.
// It is also the JSON a user exports and imports, so it is versioned and validated like any input.
import { z } from "zod";
import { ARCHES, CLOUDS, USE_CASES } from "../db/schema";

export const packRef = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a pack name"),
  version: z.string().min(1).max(40),
});

export const bundleSpec = z.object({
  kind: z.literal("artifact-studio/bundle").default("artifact-studio/bundle"),
  specVersion: z.literal(1).default(1),
  product: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a product id like palette-enterprise"),
  version: z.string().min(1).max(40),
  useCase: z.enum(USE_CASES),
  /** Absent for agent mode (edge-native is assumed) and add-on only. */
  cloud: z.enum(CLOUDS).optional(),
  arch: z.enum(ARCHES).optional(),
  fips: z.boolean().optional(),
  packs: z.array(packRef).max(500, "a bundle holds at most 500 packs"),
});

export type BundleSpec = z.infer<typeof bundleSpec>;
export type PackRef = z.infer<typeof packRef>;

/** "name@version": how a pack version is written in URLs and lists, and equal to its pack_versions.id. */
export const packRefId = (ref: PackRef): string => `${ref.name}@${ref.version}`;
