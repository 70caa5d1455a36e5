// The shapes of the catalog API's responses, as zod schemas: the OpenAPI document is generated
// from them, and the API tests parse real responses with them (strictly), so the documentation
// cannot claim a field the worker does not send or miss one it does.
import { z } from "zod";
import { ARCHES, DEPENDENCY_TYPES, INSTALLER_KINDS, LAYERS, USE_CASES } from "../domain/vocabulary";
import { FACETS } from "../db/pack-versions";
import { COUNTED_MATCHES } from "../db/counts/search-counts";

const isoTime = z.string().meta({ description: "ISO 8601 time" });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const productRange = z.strictObject({
  product: z.string(),
  minVersion: z.string().nullable().meta({ description: "Lowest product version, inclusive; null: open." }),
  maxVersion: z.string().nullable().meta({ description: "Highest product version, inclusive; null: open." }),
});

const dependency = z.strictObject({
  packName: z.string(),
  layer: z.enum(LAYERS),
  type: z.enum(DEPENDENCY_TYPES),
  minVersion: z.string().nullable(),
  maxVersion: z.string().nullable(),
});

/** The fields of any downloadable file with its detached signature (SignedArtifactInfo). */
const signedArtifact = {
  fileName: z.string(),
  size: z.number().int(),
  sha256,
  signatureFileName: z.string(),
  signatureSize: z.number().int(),
  keyId: z.string(),
  publishedAt: isoTime,
};

const packInfo = {
  name: z.string(),
  displayName: z.string(),
  layer: z.enum(LAYERS),
  addonType: z.string().nullable(),
  description: z.string(),
  source: z.string().meta({ description: "spectrocloud or community" }),
};

const packVersionInfo = {
  version: z.string(),
  kernel: z.string().nullable(),
  eol: z.string().nullable().meta({ description: "End of life, YYYY-MM-DD" }),
  fips: z.boolean(),
  arches: z.array(z.enum(ARCHES)),
  clouds: z.array(z.string()).meta({ description: 'Clouds published for; "all" means every cloud.' }),
  useCases: z.array(z.enum(USE_CASES)),
  products: z.array(productRange),
  dependencies: z.array(dependency),
  ...signedArtifact,
  fileName: signedArtifact.fileName.meta({ description: "<name>-<version>.zst" }),
  signatureFileName: signedArtifact.signatureFileName.meta({ description: "<name>-<version>.sig.bin" }),
  keyId: signedArtifact.keyId.meta({ description: "The signing key; its public key is served at /keys/<keyId>.pem." }),
};

export const packVersionSchema = z.strictObject(packVersionInfo);
/** The container images a version ships, from its signed release manifest (pack.json content.images). */
const images = z
  .array(
    z.strictObject({
      reference: z.string().meta({ description: "repository[:tag]@sha256:<hex>, as declared" }),
      repository: z.string(),
      tag: z.string().nullable(),
      digest: z.string().meta({ description: "sha256:<hex>" }),
    }),
  )
  .meta({ description: "Container images the version ships, each pinned by digest." });
export const packSchema = z.strictObject({
  ...packInfo,
  versions: z.array(z.strictObject({ ...packVersionInfo, images })),
  yanked: z
    .array(
      z.strictObject({
        version: z.string(),
        yankedAt: isoTime.nullable(),
        reason: z.string().nullable().meta({ description: "Why it was yanked, as the admin recorded it" }),
      }),
    )
    .meta({ description: "Versions taken out of the catalog, with when and why; newest yank first." }),
});
export const packVersionDetailSchema = z.strictObject({
  ...packInfo,
  ...packVersionInfo,
  images,
  otherVersions: z.array(z.string()).meta({ description: "The pack's other published versions, newest first." }),
});

const counts = z.record(z.string(), z.number().int());
export const packSearchSchema = z.strictObject({
  items: z.array(z.strictObject({ ...packInfo, versions: z.array(packVersionSchema) })).meta({
    description:
      "Packs in display order (display name ignoring case and accents, then name), each with the versions matching the filters, newest first.",
  }),
  facets: z
    .strictObject(Object.fromEntries(FACETS.map((f) => [f, counts])) as Record<(typeof FACETS)[number], typeof counts>)
    .meta({ description: "Matching packs per value of each filter, applying every other active filter." }),
  total: z
    .number()
    .int()
    .meta({ description: "Packs matching the filters, over all pages (a lower bound when `totalRelation` is `gte`)." }),
  totalRelation: z.enum(["eq", "gte"]).meta({
    description:
      "`eq`: `total` and `facets` are exact. `gte` (since 1.1): the search words match more packs than a search counts " +
      `(its first ${COUNTED_MATCHES} full-text matches), so \`total\` and every facet count are lower bounds, counted over those matches. ` +
      "The pages still list every match.",
  }),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
});

const productVersion = z.strictObject({
  version: z.string(),
  publishedAt: isoTime,
  withdrawn: z
    .string()
    .optional()
    .meta({ description: "Every installer of this version was withdrawn or yanked (none is offered): why." }),
});
const productInfo = { id: z.string(), name: z.string(), applianceName: z.string(), fips: z.boolean() };
export const productListSchema = z.strictObject({
  items: z.array(
    z.strictObject({ ...productInfo, versions: z.array(productVersion).meta({ description: "Newest first." }) }),
  ),
});

export const installersSchema = z.strictObject({
  product: z.strictObject(productInfo),
  version: productVersion,
  artifacts: z.array(
    z.strictObject({
      kind: z.enum(INSTALLER_KINDS),
      label: z.string(),
      useCase: z.string(),
      ...signedArtifact,
    }),
  ),
});

const packVersionSummary = z.strictObject({ ...packInfo, ...packVersionInfo });
export const compatibleSchema = z.strictObject({
  layer: z.enum(LAYERS),
  context: z.strictObject({
    product: z.string(),
    version: z.string(),
    useCase: z.enum(USE_CASES),
    cloud: z.string().nullable().meta({ description: "edge-native in agent mode" }),
    arch: z.enum(ARCHES).nullable(),
    fips: z.boolean().meta({ description: "Whether only FIPS-compliant builds are offered." }),
  }),
  offered: z.array(packVersionSummary).meta({ description: "The pack versions that fit, with full details." }),
  hidden: z
    .array(
      z.strictObject({
        name: packInfo.name,
        displayName: packInfo.displayName,
        version: packVersionInfo.version,
        layer: packInfo.layer,
        reasons: z.array(z.string()).meta({ description: 'e.g. "requires kubernetes >= 1.29"' }),
      }),
    )
    .meta({
      description:
        "The other pack versions of this page's stretch of the layer (and any chosen pack of the layer that no longer fits), each naming itself and why it does not fit; details via getPackVersion.",
    }),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last." }),
});
