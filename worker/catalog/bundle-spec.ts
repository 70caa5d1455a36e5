// A bundle spec: what the wizard builds and what a grant or a pre-generated manifest is made from.
// It is also the JSON a user exports and imports, so it is versioned and validated like any input.
import { z } from "zod";
import { ARCHES, CLOUDS, packRef, productId, USE_CASES } from "../domain/vocabulary";

export const bundleSpec = z.object({
  kind: z.literal("artifact-studio/bundle").default("artifact-studio/bundle"),
  specVersion: z.literal(1).default(1),
  product: productId,
  version: z.string().min(1).max(40),
  useCase: z.enum(USE_CASES),
  /** Absent for agent mode (edge-native is assumed) and add-on only. */
  cloud: z.enum(CLOUDS).optional(),
  arch: z.enum(ARCHES).optional(),
  fips: z.boolean().optional(),
  packs: z.array(packRef).max(500, "a bundle holds at most 500 packs"),
});

export type BundleSpec = z.infer<typeof bundleSpec>;
