// Upgrade plans: from what a site runs today (a bundle spec) to a target version of its product,
// layer by layer (os → k8s → cni → csi → add-ons, each against the packs settled before it). Each
// pack the site has is kept (its version still fits the target), upgraded (to the newest version
// that fits, saying why that one) or removed (no version fits, saying why). The plan lists the
// target's installers and, as one grant selection, only the files the site does not have yet; its
// result is itself a bundle spec, the start of the next upgrade.
//
// "Fits" is assessPack's answer (compatibility.ts) plus one rule of the upgrade's own: a version
// past its end of life is no longer offered, so it is neither kept nor upgraded to. Versions are
// only ever moved forward. planPacks is pure; planUpgrade loads its inputs in one D1 batch.
import { z } from "zod";
import type { Db } from "../db/client";
import { findInstallerFiles } from "../db/grant-queries";
import { readUpgradeInputs } from "../db/upgrade-inputs";
import {
  compareVersions,
  INSTALLER_KINDS,
  type InstallerKind,
  type Layer,
  LAYERS,
  packRef,
  type PackRef,
  packRefId,
} from "../domain/vocabulary";
import { badField } from "../errors";
import { bundleSpec, type BundleSpec } from "./bundle-spec";
import { assessPack, type ChosenPack, type CompatibilityContext, type PackVersionSummary } from "./compatibility";
import { dottedVersion } from "./filters";

export const upgradeRequest = z.object({
  current: bundleSpec.meta({ description: "What the site runs today: a bundle spec as the wizard exports it." }),
  targetVersion: dottedVersion.meta({
    description: "The version of the same product to upgrade to; not older than current.version.",
  }),
  installerKinds: z
    .array(z.enum(INSTALLER_KINDS))
    .min(1)
    .optional()
    .meta({ description: "The target's installers to download (default: all of them)." }),
});
export type UpgradeRequest = z.infer<typeof upgradeRequest>;

type Named = { name: string; displayName: string; layer: Layer };
export type KeptPack = Named & { version: string; fileName: string; size: number };
export type SkippedVersion = { version: string; reasons: string[] };
export type UpgradedPack = Named & {
  from: string;
  to: string;
  /** Why the current version cannot stay. */
  reasons: string[];
  /** Why this version: the newest that fits, and each newer one passed over. */
  why: string;
  skipped: SkippedVersion[];
  fileName: string;
  size: number;
  signatureSize: number;
};
/** `layer` is null for a pack the catalog has never heard of. */
export type RemovedPack = Omit<Named, "layer"> & { layer: Layer | null; version: string; reasons: string[] };
export type PackPlan = { kept: KeptPack[]; upgraded: UpgradedPack[]; removed: RemovedPack[] };

export type PackPlanInput = {
  /** The site's packs, as its bundle lists them. */
  current: readonly PackRef[];
  /** Each named pack the catalog knows. */
  packs: ReadonlyMap<string, Named>;
  /** Every published (not yanked) version of each named pack, newest first. */
  versions: ReadonlyMap<string, readonly PackVersionSummary[]>;
  /** The site's pack versions the catalog has a record of, published or yanked. */
  recorded: ReadonlyMap<string, { yanked: boolean; yankReason: string | null }>;
  /** The target: product version, use case, cloud, arch, FIPS. */
  context: Omit<CompatibilityContext, "chosen">;
  /** YYYY-MM-DD: versions whose end of life is before it are no longer offered. */
  today: string;
};

const layerOrder = (layer: Layer | undefined) => (layer ? LAYERS.indexOf(layer) : LAYERS.length);

export const endOfLifeReasons = (eol: string | null, today: string) =>
  eol && eol.slice(0, 10) < today ? [`end of life ${eol.slice(0, 10)}`] : [];

/** Why the site's version itself cannot be found in the catalog any more. */
function goneReasons(ref: PackRef, recorded: PackPlanInput["recorded"]): string[] {
  const record = recorded.get(packRefId(ref));
  if (!record) return [`${ref.name} ${ref.version} is not in the catalog`];
  if (record.yanked) return [`yanked${record.yankReason ? `: ${record.yankReason}` : ""}`];
  return [];
}

/** A pack the catalog has never heard of leaves the bundle. */
const unknownPack = (ref: PackRef): RemovedPack => ({
  name: ref.name,
  displayName: ref.name,
  layer: null,
  version: ref.version,
  reasons: [`there is no pack ${ref.name} in the catalog`],
});

/** The newest version after `from` that fits (versions come newest first), and each newer one passed over. */
function newestFit(
  versions: readonly PackVersionSummary[],
  from: string,
  fits: (v: PackVersionSummary) => string[],
): { chosen?: PackVersionSummary; skipped: SkippedVersion[] } {
  const skipped: SkippedVersion[] = [];
  for (const v of versions.filter((v) => compareVersions(v.version, from) > 0)) {
    const problems = fits(v);
    if (!problems.length) return { chosen: v, skipped };
    skipped.push({ version: v.version, reasons: problems });
  }
  return { skipped };
}

/** The upgrade of the site's packs, layer by layer; see the header for the rules. */
export function planPacks(input: PackPlanInput): PackPlan {
  const plan: PackPlan = { kept: [], upgraded: [], removed: [] };
  const settled: ChosenPack[] = [];
  const target = `${input.context.product.name} ${input.context.productVersion}`;
  const fits = (v: PackVersionSummary) => [
    ...assessPack(v, { ...input.context, chosen: settled }),
    ...endOfLifeReasons(v.eol, input.today),
  ];
  // Stable: within a layer, the bundle's own order.
  const ordered = [...input.current].sort(
    (a, b) => layerOrder(input.packs.get(a.name)?.layer) - layerOrder(input.packs.get(b.name)?.layer),
  );
  for (const ref of ordered) {
    const pack = input.packs.get(ref.name);
    if (!pack) {
      plan.removed.push(unknownPack(ref));
      continue;
    }
    const versions = input.versions.get(ref.name) ?? [];
    const same = versions.find((v) => v.version === ref.version);
    const reasons = same ? fits(same) : goneReasons(ref, input.recorded);
    const named = { name: pack.name, displayName: pack.displayName, layer: pack.layer };
    if (same && !reasons.length) {
      plan.kept.push({ ...named, version: same.version, fileName: same.fileName, size: same.size });
      settled.push(same);
      continue;
    }
    const { chosen, skipped } = newestFit(versions, ref.version, fits);
    if (chosen) {
      const passedOver = skipped.map((s) => `${s.version} is newer but ${s.reasons.join(" and ")}`);
      plan.upgraded.push({
        ...named,
        from: ref.version,
        to: chosen.version,
        reasons,
        why: [`the newest version that fits ${target} and the packs before it`, ...passedOver].join("; "),
        skipped,
        fileName: chosen.fileName,
        size: chosen.size,
        signatureSize: chosen.signatureSize,
      });
      settled.push(chosen);
    } else {
      plan.removed.push({
        ...named,
        version: ref.version,
        reasons: [...reasons, ...skipped.map((s) => `${s.version}: ${s.reasons.join("; ")}`)],
      });
    }
  }
  return plan;
}

export type PlannedInstaller = {
  kind: InstallerKind;
  file: string;
  size: number;
  sigFile: string;
  sigSize: number;
  sha256: string;
  /** The site already has it: the target is the version it runs. */
  onSite: boolean;
};

/** What "Download upgrade" asks a grant for: exactly the files the site does not have. */
export type UpgradeDownload = {
  selection: { installers?: { product: string; version: string; kinds?: InstallerKind[] }; packs?: PackRef[] } | null;
  fileCount: number;
  /** Files and their signatures. */
  totalBytes: number;
};

export type UpgradePlan = {
  product: { id: string; name: string };
  from: string;
  to: string;
  current: BundleSpec;
  kept: KeptPack[];
  upgraded: UpgradedPack[];
  removed: RemovedPack[];
  installers: PlannedInstaller[];
  download: UpgradeDownload;
  /** The site after the upgrade: the bundle spec the next upgrade starts from. */
  result: BundleSpec;
};

/** The target's installers; all on site already when the target is the version the site runs. */
async function plannedInstallers(db: Db, request: UpgradeRequest): Promise<PlannedInstaller[]> {
  const { current, targetVersion } = request;
  const onSite = targetVersion === current.version;
  const { files } = await findInstallerFiles(db, current.product, targetVersion, request.installerKinds);
  return files.map((f) => ({
    kind: f.kind as InstallerKind,
    file: f.file,
    size: f.size,
    sigFile: f.sigFile,
    sigSize: f.sigSize,
    sha256: f.sha256,
    onSite,
  }));
}

/** The grant selection for exactly the files the site does not have, with their count and size. */
function upgradeDownload(
  request: UpgradeRequest,
  installers: PlannedInstaller[],
  upgraded: UpgradedPack[],
): UpgradeDownload {
  const { current, targetVersion } = request;
  const newInstallers = installers.filter((i) => !i.onSite);
  const newPacks = upgraded.map((u) => ({ name: u.name, version: u.to }));
  const selection =
    newInstallers.length || newPacks.length
      ? {
          ...(newInstallers.length
            ? {
                installers: {
                  product: current.product,
                  version: targetVersion,
                  ...(request.installerKinds ? { kinds: request.installerKinds } : {}),
                },
              }
            : {}),
          ...(newPacks.length ? { packs: newPacks } : {}),
        }
      : null;
  return {
    selection,
    fileCount: newInstallers.length + newPacks.length,
    totalBytes:
      newInstallers.reduce((n, i) => n + i.size + i.sigSize, 0) +
      upgraded.reduce((n, u) => n + u.size + u.signatureSize, 0),
  };
}

/** The site after the upgrade: removed packs gone, upgraded ones at their new version. */
function upgradeResult(current: BundleSpec, targetVersion: string, { upgraded, removed }: PackPlan): BundleSpec {
  const upgradedTo = new Map(upgraded.map((u) => [u.name, u.to]));
  const gone = new Set(removed.map((r) => packRefId({ name: r.name, version: r.version })));
  return {
    ...current,
    version: targetVersion,
    packs: current.packs
      .filter((p) => !gone.has(packRefId(p)))
      .map((p) => ({ name: p.name, version: upgradedTo.get(p.name) ?? p.version })),
  };
}

/** Plans the upgrade of `request.current` to `request.targetVersion`; 404/400 name the field at fault. */
export async function planUpgrade(db: Db, request: UpgradeRequest, now: number): Promise<UpgradePlan> {
  const { current, targetVersion } = request;
  const { product, published, packs, versions, recorded } = await readUpgradeInputs(db, current.product, current.packs);
  if (!product) throw badField("current.product", `there is no product ${current.product}`, 404);
  const productName = product.name;
  if (!published.has(current.version))
    throw badField("current.version", `${productName} has no version ${current.version}`, 404);
  if (!published.has(targetVersion))
    throw badField("targetVersion", `${productName} has no version ${targetVersion}`, 404);
  if (compareVersions(targetVersion, current.version) < 0)
    throw badField("targetVersion", `${targetVersion} is older than the site's ${current.version}`);

  const packPlan = planPacks({
    current: current.packs,
    packs,
    versions,
    recorded,
    context: {
      product: { id: product.id, name: productName },
      productVersion: targetVersion,
      useCase: current.useCase,
      cloud: current.cloud,
      arch: current.arch,
      fips: Boolean(product.fips) || current.fips === true,
    },
    today: new Date(now).toISOString().slice(0, 10),
  });
  const installers = await plannedInstallers(db, request);
  return {
    product: { id: current.product, name: productName },
    from: current.version,
    to: targetVersion,
    current,
    ...packPlan,
    installers,
    download: upgradeDownload(request, installers, packPlan.upgraded),
    result: upgradeResult(current, targetVersion, packPlan),
  };
}

/** The plan's JSON as the API documents it (the route adds the links). */
export const upgradePlanSchema = z.object({
  product: z.object({ id: z.string(), name: z.string() }),
  from: z.string(),
  to: z.string(),
  current: bundleSpec,
  kept: z.array(
    z.object({
      name: z.string(),
      displayName: z.string(),
      layer: z.enum(LAYERS),
      version: z.string(),
      fileName: z.string(),
      size: z.number().int(),
    }),
  ),
  upgraded: z.array(
    z.object({
      name: z.string(),
      displayName: z.string(),
      layer: z.enum(LAYERS),
      from: z.string(),
      to: z.string(),
      reasons: z.array(z.string()).meta({ description: "Why the current version cannot stay." }),
      why: z.string().meta({ description: "Why this version: the newest that fits, and each newer one passed over." }),
      skipped: z.array(z.object({ version: z.string(), reasons: z.array(z.string()) })),
      fileName: z.string(),
      size: z.number().int(),
      signatureSize: z.number().int(),
    }),
  ),
  removed: z.array(
    z.object({
      name: z.string(),
      displayName: z.string(),
      layer: z.enum(LAYERS).nullable(),
      version: z.string(),
      reasons: z
        .array(z.string())
        .meta({ description: 'E.g. "end of life 2025-06-30", "requires kubernetes >= 1.33".' }),
    }),
  ),
  installers: z.array(
    z.object({
      kind: z.enum(INSTALLER_KINDS),
      file: z.string(),
      size: z.number().int(),
      sigFile: z.string(),
      sigSize: z.number().int(),
      sha256: z.string(),
      onSite: z.boolean().meta({ description: "The site already has it (the target is the version it runs)." }),
    }),
  ),
  download: z.object({
    selection: z
      .object({
        installers: z
          .object({ product: z.string(), version: z.string(), kinds: z.array(z.enum(INSTALLER_KINDS)).optional() })
          .optional(),
        packs: z.array(packRef).optional(),
      })
      .nullable()
      .meta({
        description: "POST it to /api/v1/grants for only the files the site does not have; null: nothing to download.",
      }),
    fileCount: z.number().int(),
    totalBytes: z.number().int().meta({ description: "Files and their signatures." }),
  }),
  result: bundleSpec.meta({ description: "The site after the upgrade: the bundle spec the next upgrade starts from." }),
  links: z.object({
    bundle: z.string().meta({ description: "The result as a bundle link (the wizard's Confirm step)." }),
    spec: z.string().meta({ description: "The result as a bundle spec file." }),
    page: z.string().meta({ description: "This plan as a page." }),
    nextUpgrade: z.string().meta({ description: "The upgrade page, starting from the result." }),
    download: z.string().nullable().meta({ description: "The download page for the new files; null when none." }),
  }),
});
