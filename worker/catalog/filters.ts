// The catalog's query inputs, as zod schemas: the one place that says what /api/v1/packs and
// /api/v1/compatible accept. Pages parse the same URL parameters with the same schemas, and the
// OpenAPI document is generated from them, so the three can never disagree.
import { z } from "zod";
import { joinSortKey, SORT_KEY_MAX, splitSortKey } from "../domain/display-sort";
import { ARCHES, CLOUDS, LAYERS, packRef, type PackRef, parseRef, productId, USE_CASES } from "../domain/vocabulary";

/** A dotted version as URLs carry it; the install page parses its ?version= with it too. */
export const dottedVersion = z
  .string()
  .regex(/^v?\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$/, "must be a dotted version like 4.6.12");

/** Query strings carry text; "true"/"false" are the only spellings accepted for a yes/no filter. */
const booleanText = z.enum(["true", "false"], { error: 'must be "true" or "false"' }).transform((v) => v === "true");

/**
 * A position in a display-ordered pack list: the last pack's sort key (domain/display-sort.ts) as
 * its two parts, folded display name and name, in base64url JSON. Opaque to clients so its form may
 * change; anyone can write one, so decoding checks each part is one displaySortKey could produce.
 */
export function encodeCursor(sortKey: string): string {
  const parts = splitSortKey(sortKey);
  const json = JSON.stringify(parts ? { k: parts.folded, n: parts.name } : { k: "", n: sortKey });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/**
 * The sort key a cursor names, or undefined when it is not a cursor this API wrote: a pack name, and
 * a folded part no longer than a key's without control characters (the separator is one). Keys
 * written before an admin recount may not be folded exactly yet, so the folding itself is not checked.
 */
export function decodeCursor(cursor: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as { k?: unknown; n?: unknown };
    const { k: folded, n: name } = parsed ?? {};
    if (typeof folded !== "string" || typeof name !== "string") return undefined;
    if (!packRef.shape.name.safeParse(name).success) return undefined;
    if (folded.length > SORT_KEY_MAX || /\p{Cc}/u.test(folded)) return undefined;
    return joinSortKey(folded, name);
  } catch {
    return undefined;
  }
}

const cursor = z
  .string()
  .max(1000)
  .transform((text, ctx) => {
    const after = decodeCursor(text);
    if (after === undefined) {
      ctx.addIssue({ code: "custom", message: "is not a cursor this API returned" });
      return z.NEVER;
    }
    return after;
  })
  .meta({
    description: "The `nextCursor` of the previous page; opaque (it names the last pack's place in display order).",
  });

export const packFilters = z
  .object({
    product: productId.optional().meta({ description: "Only packs published for this product." }),
    version: dottedVersion
      .optional()
      .meta({ description: "Only packs published for this product version (needs `product`)." }),
    useCase: z.enum(USE_CASES).optional(),
    cloud: z.enum(CLOUDS).optional().meta({ description: 'Packs published for "all" clouds match every cloud.' }),
    layer: z.enum(LAYERS).optional(),
    arch: z.enum(ARCHES).optional(),
    fips: booleanText
      .optional()
      .meta({ description: "true: FIPS-compliant builds only; false: non-FIPS builds only." }),
    q: z
      .string()
      .trim()
      .max(200)
      .optional()
      .meta({ description: "Words to find in the name, display name, description or add-on type (prefix match)." }),
    cursor: cursor.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(24),
  })
  .superRefine((f, ctx) => {
    if (f.version && !f.product) ctx.addIssue({ code: "custom", path: ["version"], message: "needs product" });
  });

export type PackFilters = z.output<typeof packFilters>;

const BROWSE_FILTER_KEYS = ["product", "version", "cloud", "layer", "arch", "fips", "q", "cursor"] as const;

/** Parses the catalog filters of a /packs URL (empty parameters count as absent). */
export function parseBrowseFilters(params: Record<string, string>) {
  const present = Object.fromEntries(BROWSE_FILTER_KEYS.filter((k) => params[k]).map((k) => [k, params[k]]));
  return packFilters.safeParse(present);
}

/** /api/v1/changes: the pack filters and the generation to list changes after. */
const { product, version, useCase, cloud, layer, arch, fips } = packFilters.shape;

export const changesQuery = z.object({
  product,
  version,
  useCase,
  cloud,
  layer,
  arch,
  fips,
  since: z.coerce
    .number()
    .int()
    .min(0)
    .meta({ description: "A catalog generation (the `generation` of an earlier answer; 0 for everything)." }),
});

/** "name@version,name@version": the packs already chosen, in any order. */
const chosenPacks = z
  .string()
  .max(8000)
  .transform((text, ctx): PackRef[] => {
    const refs: PackRef[] = [];
    for (const item of text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const ref = parseRef(item);
      if (!ref) {
        ctx.addIssue({ code: "custom", message: `"${item.slice(0, 80)}" is not name@version` });
        return z.NEVER;
      }
      refs.push(ref);
    }
    if (refs.length > 100) {
      ctx.addIssue({ code: "custom", message: "at most 100 chosen packs" });
      return z.NEVER;
    }
    return refs;
  })
  .meta({ description: "The packs already chosen, as name@version separated by commas." });

export const compatibleQuery = z.object({
  product: productId,
  version: dottedVersion,
  useCase: z.enum(USE_CASES),
  /** Ignored for agent mode, which always means edge-native. */
  cloud: z.enum(CLOUDS).optional().meta({ description: "The cloud; agent mode always means edge-native." }),
  arch: z.enum(ARCHES).optional(),
  fips: booleanText.optional().meta({
    description:
      "true: only FIPS-compliant packs. A FIPS product (VerteX) always requires them; false offers both kinds.",
  }),
  layer: z.enum(LAYERS).optional().meta({
    description:
      "The layer to offer packs for; defaults to the first layer (os → k8s → cni → csi → addon) without a chosen pack (addon for add-on only, which offers every layer, several packs per layer, whatever a pack's use cases).",
  }),
  packs: chosenPacks.optional().default([]),
});

export type CompatibleQuery = z.output<typeof compatibleQuery>;

/** The wizard accepts the compatibility query's parameters, any of them still missing. */
export const wizardQuery = compatibleQuery.omit({ layer: true }).partial();
export type WizardState = Omit<z.output<typeof wizardQuery>, "packs"> & { packs: PackRef[] };

export function parseWizardState(params: Record<string, string>): z.ZodSafeParseResult<WizardState> {
  const known = Object.fromEntries(
    ["product", "version", "useCase", "cloud", "arch", "fips", "packs"]
      .filter((k) => params[k] !== undefined && params[k] !== "")
      .map((k) => [k, params[k]]),
  );
  const parsed = wizardQuery.safeParse(known);
  if (!parsed.success) return parsed as z.ZodSafeParseResult<WizardState>;
  return { success: true, data: { ...parsed.data, packs: parsed.data.packs ?? [] } };
}

/** /api/v1/compatible's query: the compatibility query and a page of the layer. */
export const compatiblePageQuery = compatibleQuery.extend({
  // 20 (since 1.2; it was 50): a 50-pack add-on page carried about 400 versions, 137 KB and 6,400 D1
  // rows, most of them hidden, for a client that mostly reads the first page. Since 1.3 it counts
  // every pack, so nothing hidden in between makes a page larger.
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({
      description:
        "How many of the layer's packs one page covers, in display order, each version offered or hidden. " +
        "Since 1.3 every pack counts (before, only packs that may fit, with the others between them added). " +
        "Default 20 since 1.2 (it was 50).",
    }),
  cursor: cursor.optional(),
});

export type CompatiblePageQuery = z.output<typeof compatiblePageQuery>;

export const packName = packRef.shape.name;
export const packVersionParams = z.object({ name: packName, version: dottedVersion });
export const packParams = z.object({ name: packName });
export const productVersionParams = z.object({ product: productId, version: dottedVersion });
