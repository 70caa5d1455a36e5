// The release.json contract. The release pipeline writes every artifact and its .sig.bin under
// incoming/<release-id>/, then release.json last, listing every file with its metadata. This schema
// is the one place that says what a release may contain; the sync refuses anything else.
import { z } from "zod";
import { installerSlot, parseImageReference } from "../domain/release-files";
import { ARCHES, CLOUDS, DEPENDENCY_TYPES, INSTALLER_KINDS, LAYERS, USE_CASES } from "../domain/vocabulary";

export { IMAGE_REFERENCE, installerSlot, parseImageReference } from "../domain/release-files";

const version = z.string().regex(/^v?\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$/, "must be a dotted version like 1.29.3");
/** Deployment names a release may be for (RELEASE_AUDIENCE). */
export const AUDIENCE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Release ids are folder names under incoming/, so they are slugs too. */
export const RELEASE_ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

/** The sync's refusal of a folder whose name is not a release id (shared with `release check`). */
export const releaseIdProblem = (releaseId: string): string | null =>
  RELEASE_ID_PATTERN.test(releaseId)
    ? null
    : `the release folder name '${releaseId}' is not a release id (a lower-case slug)`;
const slug = z.string().regex(RELEASE_ID_PATTERN, "must be a lower-case slug");
/** The manifest and its signature, written last, in that order, by the release pipeline. */
export const RELEASE_JSON = "release.json";
export const RELEASE_JSON_SIGNATURE = "release.json.sig.bin";

/** Names the bundle tar and the grant's manifests use for themselves; no artifact may take them. */
export const RESERVED_FILE_NAMES = [
  "SHA256SUMS",
  "verify-signatures.sh",
  "download.sh",
  "bundle.curl",
  "urls.txt",
  "spectro_public_key.pem",
  "release.json",
  "release.json.sig.bin",
] as const;
// Only a plain file name inside the release folder: no paths, no traversal. At most 100 bytes, so it
// fits a ustar header's name field as is; not a reserved name and no .pem (the tar carries the keys).
const fileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/, "must be a plain file name of at most 100 characters")
  .refine((name) => !(RESERVED_FILE_NAMES as readonly string[]).includes(name) && !name.endsWith(".pem"), {
    message: `must not be a reserved name (${RESERVED_FILE_NAMES.join(", ")}, *.pem)`,
  });

/** At most this many files in one release, so one release's work and findings stay bounded. */
export const MAX_RELEASE_FILES = 2000;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits");

/**
 * The documented signature name for a file: a trailing ".zst" gives way to ".sig.bin"
 * (pack-1.0.zst → pack-1.0.sig.bin, bundle.tar.zst → bundle.tar.sig.bin); anything else gets
 * ".sig.bin" appended (appliance.iso → appliance.iso.sig.bin).
 */
export const signatureFileName = (file: string) => `${file.replace(/\.zst$/, "")}.sig.bin`;

/** The only name a pack file may have in a release folder. */
export const packFileName = (name: string, version: string) => `${name}-${version}.zst`;

/** What every listed file carries: its name, the signature beside it, and what it must measure. */
const signedFile = z.object({
  file: fileName,
  signature: fileName,
  size: z.number().int().nonnegative(),
  sha256,
  keyId: z.string().min(1).optional(), // defaults to the release's keyId
});

const dependency = z.object({
  packName: slug,
  layer: z.enum(LAYERS),
  minVersion: version.optional(),
  maxVersion: version.optional(),
  type: z.enum(DEPENDENCY_TYPES),
});

const imageEntry = z.object({
  image: z
    .string()
    .max(512)
    .refine((ref) => parseImageReference(ref) !== undefined, {
      message: "must be repository[:tag]@sha256:<64 lower-case hex>, e.g. docker.io/calico/node:v3.29.1@sha256:…",
    }),
});

/** pack.json as the packs registry writes it, plus what the catalog adds. */
export const packManifest = z.object({
  name: slug,
  displayName: z.string().min(1).max(120),
  version,
  layer: z.enum(LAYERS),
  kernel: z.string().max(60).optional(),
  addonType: z.string().max(60).optional(),
  description: z.string().max(2000).default(""),
  cloudTypes: z.array(z.enum([...CLOUDS, "all"])).min(1),
  annotations: z
    .object({ source: z.enum(["spectrocloud", "community"]).default("spectrocloud") })
    .default({ source: "spectrocloud" }),
  eol: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a YYYY-MM-DD date")
    .optional(),
  constraints: z.object({ dependencies: z.array(dependency).default([]) }).default({ dependencies: [] }),
  /** The container images the pack ships (pack.json content.images), each pinned by digest. */
  content: z
    .object({ images: z.array(imageEntry).max(500, "at most 500 images a pack version").default([]) })
    .optional(),
  // Catalog additions:
  architectures: z.array(z.enum(ARCHES)).min(1),
  fips: z.boolean().default(false),
  useCases: z.array(z.enum(USE_CASES)).min(1),
  products: z.array(z.object({ product: slug, minVersion: version.optional(), maxVersion: version.optional() })).min(1),
});

const packFile = signedFile.extend({
  kind: z.literal("pack"),
  /**
   * "update": this release deliberately changes the pack's shared fields (displayName, description,
   * addonType, annotations.source), which every version shows. Without it a new version of a
   * published pack leaves them as they are.
   */
  change: z.enum(["create", "update"]).optional(),
  pack: packManifest,
});

const installerFile = signedFile.extend({
  kind: z.enum(INSTALLER_KINDS),
  product: slug,
  productVersion: version,
});

export const releaseManifest = z
  .object({
    schemaVersion: z.literal(1),
    releaseId: slug,
    keyId: z.string().min(1),
    /**
     * The deployment this release is for (RELEASE_AUDIENCE on the studio): a release signed for
     * staging with a key production also trusts cannot be replayed into production.
     */
    audience: z.string().regex(AUDIENCE_PATTERN, "must be a deployment name: 1-64 of [a-z0-9._-]"),
    /**
     * The last moment the sync may ingest this manifest (as TUF metadata expires): a signed release
     * that was pulled, or signed for another deployment, cannot be re-dropped later.
     */
    expiresAt: z.iso.datetime({ offset: true }),
    /**
     * Products this release introduces ("create", the default; a no-op when the product exists with
     * the same fields) or deliberately changes ("update"). A "create" never alters an existing product.
     */
    products: z
      .array(
        z.object({
          id: slug,
          name: z.string().min(1).max(120),
          applianceName: z.string().min(1).max(120),
          fips: z.boolean().default(false),
          sortOrder: z.number().int().default(0),
          change: z.enum(["create", "update"]).default("create"),
        }),
      )
      .max(100)
      .default([]),
    files: z
      .array(z.discriminatedUnion("kind", [packFile, installerFile]))
      .min(1)
      .max(MAX_RELEASE_FILES, `a release lists at most ${MAX_RELEASE_FILES} files`),
  })
  .superRefine((release, ctx) => {
    const seen = new Set<string>();
    const installers = new Set<string>();
    release.files.forEach((f, i) => {
      checkFileNames(f, i, seen, ctx);
      if (f.kind === "pack") checkPackLists(f.pack, i, ctx);
      else {
        const slot = installerSlot(f.product, f.productVersion, f.kind);
        if (installers.has(slot))
          ctx.addIssue({
            code: "custom",
            path: ["files", i, "kind"],
            message: `a second ${f.kind} for ${f.product} ${f.productVersion}`,
          });
        installers.add(slot);
      }
    });
    flagRepeats(
      ctx,
      release.products,
      (p) => p.id,
      (p, i) => ({ path: ["products", i, "id"], message: `${p.id} is listed twice` }),
    );
  });

type ListedFile = z.infer<typeof packFile> | z.infer<typeof installerFile>;

/** An issue at each item whose key an earlier item already had. */
function flagRepeats<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  keyOf: (item: T) => string,
  issue: (item: T, j: number) => { path: PropertyKey[]; message: string },
): void {
  const keys = new Set<string>();
  items.forEach((item, j) => {
    const key = keyOf(item);
    if (keys.has(key)) ctx.addIssue({ code: "custom", ...issue(item, j) });
    keys.add(key);
  });
}

/** Each name once in the release (files and signatures share one folder), and named as the docs name them. */
function checkFileNames(f: ListedFile, i: number, seen: Set<string>, ctx: z.RefinementCtx): void {
  for (const name of [f.file, f.signature]) {
    if (seen.has(name)) ctx.addIssue({ code: "custom", path: ["files", i], message: `${name} is listed twice` });
    seen.add(name);
  }
  if (f.signature !== signatureFileName(f.file)) {
    ctx.addIssue({
      code: "custom",
      path: ["files", i, "signature"],
      message: `the signature of ${f.file} must be named ${signatureFileName(f.file)}`,
    });
  }
  if (f.kind === "pack" && f.file !== packFileName(f.pack.name, f.pack.version)) {
    ctx.addIssue({
      code: "custom",
      path: ["files", i, "file"],
      message: `a pack file must be named ${packFileName(f.pack.name, f.pack.version)}`,
    });
  }
}

/** These would collide on a primary key at publish time; refuse them here, naming the field. */
function checkPackLists(pack: PackManifest, i: number, ctx: z.RefinementCtx): void {
  const at = ["files", i, "pack"];
  flagRepeats(
    ctx,
    pack.products,
    (p) => p.product,
    (p, j) => ({ path: [...at, "products", j, "product"], message: `${p.product} is listed twice` }),
  );
  flagRepeats(
    ctx,
    pack.content?.images ?? [],
    (img) => img.image,
    (img, j) => ({ path: [...at, "content", "images", j, "image"], message: `${img.image} is listed twice` }),
  );
  flagRepeats(
    ctx,
    pack.constraints.dependencies,
    (d) => `${d.packName}/${d.type}`,
    (d, j) => ({
      path: [...at, "constraints", "dependencies", j],
      message: `${d.type} dependency on ${d.packName} is listed twice`,
    }),
  );
}

export type ReleaseManifest = z.infer<typeof releaseManifest>;
export type PackManifest = z.infer<typeof packManifest>;
type ReleaseFile = ReleaseManifest["files"][number];
export type PackFile = Extract<ReleaseFile, { kind: "pack" }>;
export type InstallerFile = Exclude<ReleaseFile, { kind: "pack" }>;

/** How far ahead a manifest may expire: a longer window is a longer chance to replay it. */
export const MAX_MANIFEST_VALIDITY_MS = 90 * 24 * 60 * 60 * 1000;

/** Why a manifest may not be ingested now (expired, or valid implausibly long), if it may not. */
export function manifestFreshnessProblem(release: Pick<ReleaseManifest, "expiresAt">, now: number): string | null {
  const expiresAt = Date.parse(release.expiresAt);
  if (expiresAt <= now) return `release.json expired at ${release.expiresAt}; sign a fresh manifest to publish it`;
  if (expiresAt - now > MAX_MANIFEST_VALIDITY_MS)
    return `release.json is valid until ${release.expiresAt}, more than 90 days ahead; sign it with a shorter expiresAt`;
  return null;
}

/** Why this deployment may not ingest a release meant for another one, if so. */
export function audienceProblem(release: Pick<ReleaseManifest, "audience">, audience: string): string | null {
  return release.audience === audience
    ? null
    : `release.json is for audience '${release.audience}', this studio is '${audience}'; sign it for '${audience}' to publish it here`;
}

/** The checks of a verified manifest at the moment of use: not expired, not for another deployment. */
export const admissionProblem = (
  release: Pick<ReleaseManifest, "expiresAt" | "audience">,
  now: number,
  audience: string,
): string | null => manifestFreshnessProblem(release, now) ?? audienceProblem(release, audience);
