// Compatibility: which pack versions the bundle wizard offers for a layer, and, for every one it
// hides, why. assessPack is pure (the rules, unit-tested); compatiblePacks loads its inputs in one
// D1 batch (two when the layer is left to default) and applies it to every candidate; hidden ones
// carry only their name and reasons. assessChosenPacks checks the chosen packs alone (Review).
//
// Decisions the rules encode:
// - Agent (appliance) mode always means the edge-native cloud, whatever cloud was asked for.
// - FIPS: a FIPS product (Palette VerteX) or fips=true offers FIPS-compliant builds only; otherwise
//   both kinds are offered, since a FIPS build runs fine on a cluster that does not require FIPS.
// - os, k8s, cni and csi hold one pack each; add-ons are many. A dependency on a layer nobody has
//   chosen yet never hides a pack: the user may still pick to suit it.
// - Add-on only is a parts list, as the docs say ("search for and select any packs"): every layer
//   is offered, any number of packs per layer, whatever use cases a pack was built for; product,
//   arch, FIPS and the dependencies between the chosen packs still apply.
// - Several `required` dependencies in one one-pack layer are alternatives (any one satisfies);
//   required add-ons are each required.
// - `optional` and `upgrade` dependencies inform but never hide.
// - A dependency's maximum with fewer than three parts covers its whole line ("<= 1.31" admits
//   1.31.9); product ranges are exact, as the SQL filters compare their stored keys.
import type { Db } from "../db/client";
import {
  isUndetailed,
  type LayerCandidates,
  type LayerRange,
  type LayerRequest,
  type LayerScope,
  type LayerVersion,
  readCompatibilityInputs,
  readDetails,
  readLayer,
} from "../db/layer-candidates";
import type { Dependency, PackInfo, PackVersionInfo, ProductRange } from "../db/pack-versions";
import {
  type Arch,
  type Cloud,
  type Layer,
  LAYERS,
  type PackRef,
  packRefId,
  rangeText,
  type UseCase,
} from "../domain/vocabulary";
import { badField, notFound } from "../errors";
import { type CompatiblePageQuery, type CompatibleQuery, encodeCursor } from "./filters";
import { inDependencyRange, inVersionRange } from "./versions";

/** The layers that take exactly one pack; the add-on layer takes any number. */
const SINGLE_PACK_LAYERS: readonly Layer[] = ["os", "k8s", "cni", "csi"];

const USE_CASE_WORDING: Record<UseCase, string> = {
  controller: "controller mode",
  agent: "agent mode",
  addon: "add-on only",
};

export type CandidatePack = {
  name: string;
  version: string;
  layer: Layer;
  fips: boolean;
  arches: readonly Arch[];
  clouds: readonly string[];
  useCases: readonly UseCase[];
  products: readonly ProductRange[];
  dependencies: readonly Dependency[];
};

export type ChosenPack = Pick<CandidatePack, "name" | "version" | "layer" | "dependencies">;

export type CompatibilityContext = {
  product: { id: string; name: string };
  productVersion: string;
  useCase: UseCase;
  cloud?: Cloud;
  arch?: Arch;
  /** True when only FIPS-compliant builds may be offered. */
  fips: boolean;
  /** The packs already in the bundle. */
  chosen: readonly ChosenPack[];
};

const requirement = (dep: Dependency) =>
  [dep.packName, rangeText(dep.minVersion, dep.maxVersion)].filter(Boolean).join(" ");
const isSinglePackLayer = (layer: Layer) => SINGLE_PACK_LAYERS.includes(layer);

/** The cloud packs must be published for: agent mode is edge-native by definition. */
export const effectiveCloud = (useCase: UseCase, cloud?: Cloud): Cloud | undefined =>
  useCase === "agent" ? "edge-native" : cloud;

/** Why `candidate` cannot go into the bundle described by `context`; empty when it can. */
export function assessPack(candidate: CandidatePack, context: CompatibilityContext): string[] {
  const reasons: string[] = [];
  const published = candidate.products.find((p) => p.product === context.product.id);
  if (!published || !inVersionRange(context.productVersion, published.minVersion, published.maxVersion)) {
    reasons.push(`not published for ${context.product.name} ${context.productVersion}`);
  }
  const partsList = context.useCase === "addon";
  if (!partsList && !candidate.useCases.includes(context.useCase))
    reasons.push(`not available for ${USE_CASE_WORDING[context.useCase]}`);
  const cloud = effectiveCloud(context.useCase, context.cloud);
  if (cloud && !candidate.clouds.includes("all") && !candidate.clouds.includes(cloud))
    reasons.push(`not published for ${cloud}`);
  if (context.arch && !candidate.arches.includes(context.arch)) reasons.push(`no ${context.arch} build`);
  if (context.fips && !candidate.fips) reasons.push("not FIPS-compliant");

  // A chosen pack the candidate would replace (same name, or the same one-pack layer) is no constraint on it.
  const others = context.chosen.filter(
    (c) =>
      c.name !== candidate.name && (partsList || !(isSinglePackLayer(candidate.layer) && c.layer === candidate.layer)),
  );
  if (candidate.dependencies.length) reasons.push(...candidateDependencyProblems(candidate.dependencies, others));
  for (const chosen of others)
    if (chosen.dependencies.length) reasons.push(...chosenDependencyProblems(chosen, candidate));
  // A layer's thousands of candidates mostly get zero or one reason: dedupe only when it can matter.
  return reasons.length > 1 ? [...new Set(reasons)] : reasons;
}

/**
 * Required dependencies in a one-pack layer are alternatives ("kubernetes or kubernetes-rke2"):
 * any one satisfies them. Required add-ons are each required on their own.
 */
function requiredGroups(dependencies: readonly Dependency[]): Dependency[][] {
  const groups = new Map<string, Dependency[]>();
  for (const dep of dependencies.filter((d) => d.type === "required")) {
    const key = isSinglePackLayer(dep.layer) ? `layer:${dep.layer}` : `pack:${dep.packName}`;
    groups.set(key, [...(groups.get(key) ?? []), dep]);
  }
  return [...groups.values()];
}

const requirements = (group: readonly Dependency[]) => group.map(requirement).join(" or ");

/** The candidate's own constraints against what is chosen. */
function candidateDependencyProblems(dependencies: readonly Dependency[], chosen: readonly ChosenPack[]): string[] {
  const problems: string[] = [];
  for (const group of requiredGroups(dependencies)) {
    const present = group.flatMap((dep) => chosen.filter((c) => c.name === dep.packName).map((c) => ({ dep, c })));
    if (present.some(({ dep, c }) => inDependencyRange(c.version, dep.minVersion, dep.maxVersion))) continue;
    if (present.length) problems.push(`requires ${requirements(present.map(({ dep }) => dep))}`);
    else if (isSinglePackLayer(group[0].layer) && chosen.some((c) => c.layer === group[0].layer))
      problems.push(`requires ${requirements(group)}`);
  }
  for (const dep of dependencies.filter((d) => d.type === "notSupported")) {
    const named = chosen.find((c) => c.name === dep.packName);
    if (named && inDependencyRange(named.version, dep.minVersion, dep.maxVersion))
      problems.push(`not supported with ${named.name} ${named.version}`);
  }
  return problems;
}

/** A chosen pack's constraints on the candidate. */
function chosenDependencyProblems(chosen: ChosenPack, candidate: CandidatePack): string[] {
  const who = `${chosen.name} ${chosen.version}`;
  const problems: string[] = [];
  for (const group of requiredGroups(chosen.dependencies)) {
    const concernsCandidate = isSinglePackLayer(candidate.layer)
      ? group[0].layer === candidate.layer
      : group[0].packName === candidate.name;
    if (!concernsCandidate) continue;
    const naming = group.filter((dep) => dep.packName === candidate.name);
    if (naming.some((dep) => inDependencyRange(candidate.version, dep.minVersion, dep.maxVersion))) continue;
    problems.push(`${who} requires ${requirements(naming.length ? naming : group)}`);
  }
  for (const dep of chosen.dependencies.filter((d) => d.type === "notSupported" && d.packName === candidate.name)) {
    if (inDependencyRange(candidate.version, dep.minVersion, dep.maxVersion))
      problems.push(`${who} does not support ${candidate.name} ${candidate.version}`);
  }
  return problems;
}

/** The first layer, in build order, that nothing chosen fills yet. */
export function nextLayer(useCase: UseCase, chosen: readonly Pick<ChosenPack, "layer">[]): Layer {
  if (useCase === "addon") return "addon";
  return LAYERS.find((layer) => isSinglePackLayer(layer) && !chosen.some((c) => c.layer === layer)) ?? "addon";
}

export type PackVersionSummary = PackInfo & PackVersionInfo;
/**
 * A hidden pack version names itself and says why, nothing more: a big add-on layer hides
 * thousands, and their files, checksums and dependencies would be most of the response.
 */
export type HiddenPack = Pick<PackVersionSummary, "name" | "displayName" | "version" | "layer"> & { reasons: string[] };
export type CompatibleResult = {
  layer: Layer;
  context: {
    product: string;
    version: string;
    useCase: UseCase;
    cloud: Cloud | null;
    arch: Arch | null;
    fips: boolean;
  };
  offered: PackVersionSummary[];
  hidden: HiddenPack[];
  /** Where the next page starts; null on the last page (and when the whole layer was asked for). */
  nextCursor: string | null;
};

/**
 * A page of a layer: the next `limit` packs with a version that may fit (or, with `everyPack`, the
 * next `limit` packs), after the pack named `after` or after skipping `offset` such packs, and every
 * version of the layer's packs in between (so each hidden version is on exactly one page). `words` narrow the packs (lower case; each must
 * match the name, display name, description or add-on type as the packs search does, or occur in
 * `layerNames`' name of the pack's layer).
 */
export type LayerPage = Pick<LayerRange, "after" | "limit" | "layerNames" | "everyPack"> & {
  offset?: number;
  words?: string[];
};
/** A chosen pack with its catalog details and why it no longer fits (empty when it does). */
export type AssessedPack = PackVersionSummary & { reasons: string[] };

type Loaded = {
  context: CompatibilityContext;
  chosen: PackVersionSummary[];
  missing: PackRef[];
  /** The layer's candidates, when the layer was known before the batch. */
  layer?: LayerCandidates;
};

type Query = Omit<CompatibleQuery, "layer">;

/**
 * Which candidates to read: the whole layer, or one page of it with where it ends. A page's stretch
 * is found with the SQL form of the rules that need no dependency (product version, use case,
 * cloud, arch, FIPS), so it holds `limit` packs that may fit (or `limit` packs, with `everyPack`);
 * assessPack still decides every version in it.
 */
function layerRequest(query: Query, scope: LayerScope, page?: LayerPage): LayerRequest {
  if (!page) return { scope };
  const range: LayerRange = {
    filter: {
      product: query.product,
      version: query.version,
      // Add-on only is a parts list: a pack built for any use case may go in (see assessPack).
      useCase: query.useCase === "addon" ? undefined : query.useCase,
      cloud: effectiveCloud(query.useCase, query.cloud),
      arch: query.arch,
    },
    fipsRule: { product: query.product, asked: query.fips === true },
    after: page.after,
    offset: page.offset ?? 0,
    limit: page.limit,
    everyPack: page.everyPack,
    words: page.words ?? [],
    layerNames: page.layerNames,
  };
  return { scope, range };
}

/**
 * The product, its version and the chosen packs in one batch (plus the candidates of `scope`, a
 * layer or every layer, when given). Chosen packs the catalog no longer publishes (yanked or removed) come back in
 * `missing` and constrain nothing; the caller decides whether that is an error.
 */
async function loadContext(db: Db, query: Query, scope?: LayerScope, page?: LayerPage): Promise<Loaded> {
  const refs = [...new Map(query.packs.map((p) => [packRefId(p), { name: p.name, version: p.version }])).values()];
  const inputs = await readCompatibilityInputs(db, {
    product: query.product,
    version: query.version,
    chosen: refs,
    layer: scope ? layerRequest(query, scope, page) : undefined,
  });
  const { product, chosen: found } = inputs;
  if (!product) throw notFound(`product ${query.product}`);
  if (!inputs.hasVersion) throw notFound(`${product.name} version ${query.version}`);
  // In the order the bundle names them, as the Review and Confirm pages list them.
  const chosen = refs.flatMap((ref) => found.get(packRefId(ref)) ?? []);
  const missing = refs.filter((ref) => !found.has(packRefId(ref)));
  const crowded =
    query.useCase !== "addon" && SINGLE_PACK_LAYERS.find((l) => chosen.filter((c) => c.layer === l).length > 1);
  if (crowded) {
    throw badField("packs", `more than one ${crowded} pack chosen: the ${crowded} layer takes one pack`);
  }
  const context: CompatibilityContext = {
    product: { id: product.id, name: product.name },
    productVersion: query.version,
    useCase: query.useCase,
    cloud: query.cloud,
    arch: query.arch,
    fips: Boolean(product.fips) || query.fips === true,
    chosen,
  };
  return { context, chosen, missing, layer: inputs.layer };
}

const missingError = (missing: readonly PackRef[]) =>
  notFound(
    `pack ${missing.slice(0, 5).map(packRefId).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}`,
  );

/** The API's answer, one page of the layer: a chosen pack the catalog does not publish is a 404. */
export async function compatiblePacks(db: Db, query: CompatiblePageQuery): Promise<CompatibleResult> {
  const { limit, cursor, ...rest } = query;
  // Since 1.3 a page is `limit` packs, fitting or not: its size no longer grows with how many
  // packs that cannot fit lie between those that may.
  const { result, missing } = await compatiblePacksTolerant(db, rest, {
    page: { after: cursor, limit, everyPack: true },
  });
  if (missing.length) throw missingError(missing);
  return result;
}

/** Assesses one pack: true if it fits; if not, it is added to the hidden list with its reasons. */
function assessInto(result: CompatibleResult, pack: LayerVersion, context: CompatibilityContext): boolean {
  const reasons = assessPack(pack, context);
  if (!reasons.length) return true;
  result.hidden.push({
    name: pack.name,
    displayName: pack.displayName,
    version: pack.version,
    layer: pack.layer,
    reasons,
  });
  return false;
}

/**
 * The chosen packs of the step's layers that this page did not read. One that no longer fits is
 * always named, whichever page it falls on; the chosen pack of a one-pack layer that fits is
 * returned (to be offered first), so each page's one choice shows what is chosen and picking
 * another replaces it.
 */
function chosenOffPage(
  result: CompatibleResult,
  chosen: PackVersionSummary[],
  candidates: LayerVersion[],
  scope: LayerScope,
  context: CompatibilityContext,
): PackVersionSummary[] {
  const read = new Set(candidates.map(packRefId));
  const current: PackVersionSummary[] = [];
  for (const pack of chosen) {
    if ((scope !== "every" && pack.layer !== scope) || read.has(packRefId(pack))) continue;
    if (assessInto(result, pack, context) && scope !== "every" && isSinglePackLayer(scope)) current.push(pack);
  }
  return current;
}

/**
 * The wizard's answer: a permalink may name a pack yanked since it was shared, so such packs are
 * returned in `missing` (and ignored as constraints) for the page to say so, not refused.
 */
export async function compatiblePacksTolerant(
  db: Db,
  query: Query & { layer?: Layer },
  options: { everyLayer?: boolean; page?: LayerPage } = {},
): Promise<{ result: CompatibleResult; missing: PackRef[] }> {
  const { page } = options;
  // With the layer named, one round trip; otherwise the chosen packs decide it, which takes a second.
  // everyLayer (the add-on only step) offers the packs of every layer, still in one round trip.
  const loaded = await loadContext(db, query, options.everyLayer ? "every" : query.layer, page);
  const { context, chosen, missing } = loaded;
  const layer = query.layer ?? nextLayer(query.useCase, chosen);
  const scope: LayerScope = options.everyLayer ? "every" : layer;
  const { candidates, stop } = loaded.layer ?? (await readLayer(db, layerRequest(query, scope, page)));
  const result: CompatibleResult = {
    layer,
    context: {
      product: context.product.id,
      version: query.version,
      useCase: query.useCase,
      cloud: effectiveCloud(query.useCase, query.cloud) ?? null,
      arch: query.arch ?? null,
      fips: context.fips,
    },
    offered: [],
    hidden: [],
    nextCursor: stop === null ? null : encodeCursor(stop),
  };
  const offered = candidates.filter((candidate) => assessInto(result, candidate, context));
  result.offered = await withDetails(db, offered);
  if (page) result.offered.unshift(...chosenOffPage(result, chosen, candidates, scope, context));
  return { result, missing };
}

/**
 * The offered versions with their details. A page reads only its candidate packs' details; should
 * assessPack offer a version of another pack (its kept ranges out of step with its versions), the
 * rule is assessPack's, and that version's details are read now. One yanked in between is left out:
 * it is no longer published, and a yank starts a new catalog generation, so the page is not kept.
 */
async function withDetails(db: Db, offered: LayerVersion[]): Promise<PackVersionSummary[]> {
  const undetailed = offered.filter(isUndetailed);
  if (!undetailed.length) return offered as PackVersionSummary[];
  const details = await readDetails(db, undetailed);
  return offered.flatMap((version) => (isUndetailed(version) ? (details.get(packRefId(version)) ?? []) : [version]));
}

/**
 * Every chosen pack with its details and why it no longer fits, in one round trip: a chosen pack
 * is assessed exactly as its layer's candidates are, so no layer needs reading. Missing packs as
 * in compatiblePacksTolerant.
 */
export async function assessChosenPacks(db: Db, query: Query): Promise<{ chosen: AssessedPack[]; missing: PackRef[] }> {
  if (!query.packs.length) return { chosen: [], missing: [] };
  const { context, chosen, missing } = await loadContext(db, query);
  return { chosen: chosen.map((pack) => ({ ...pack, reasons: assessPack(pack, context) })), missing };
}
