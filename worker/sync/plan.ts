// What a parsed release would do to the catalog, decided without I/O: which files are new, which are
// byte-identical re-publishes (harmless, skipped), and which findings forbid publishing it at all.
import { type Layer, packRefId } from "../domain/vocabulary";
import type { CatalogFacts, ProductWrite } from "../domain/release-files";
import type { KeyStatus } from "../keys";
import { fileKeyId, installerSlot, type InstallerFile, type PackFile, type ReleaseManifest } from "./release-manifest";

/** One problem with one file (or with release.json itself when `file` is absent). */
export type Finding = { file?: string; problem: string };

export type { CatalogFacts };

type ProductEntry = ReleaseManifest["products"][number];

export type ReleasePlan = {
  findings: Finding[];
  newPacks: PackFile[];
  newInstallers: InstallerFile[];
  /** Files already published with the same bytes by an earlier release. */
  alreadyPublished: string[];
  /** Product rows to insert (new) or update (an explicit, signed "update" entry). */
  productWrites: (ProductWrite & { entry: ProductEntry })[];
};

const short = (sha: string) => sha.slice(0, 12);

/** How each trusted key stands at this run's time; a key id that is absent is unknown. */
export type KeyStatuses = ReadonlyMap<string, KeyStatus>;

export function planRelease(release: ReleaseManifest, facts: CatalogFacts, keys: KeyStatuses): ReleasePlan {
  const plan: ReleasePlan = {
    findings: [],
    newPacks: [],
    newInstallers: [],
    alreadyPublished: [],
    productWrites: [],
  };
  const declaredProducts = new Set(release.products.map((p) => p.id));
  const layerInRelease = new Map<string, Layer>();
  planProducts(release, facts, plan);

  for (const file of release.files) {
    checkSigningKey(file, fileKeyId(release, file), keys, plan);
    if (file.kind === "pack") planPackFile(file, facts, layerInRelease, plan);
    else planInstallerFile(file, facts, declaredProducts, plan);
  }
  return plan;
}

/** A file must be signed with a key that is trusted and current at this run's time. */
function checkSigningKey(file: PackFile | InstallerFile, keyId: string, keys: KeyStatuses, plan: ReleasePlan): void {
  const status = keys.get(keyId);
  if (!status) plan.findings.push({ file: file.file, problem: `unknown signing key id '${keyId}'` });
  else if (status !== "current") plan.findings.push({ file: file.file, problem: `signed with ${status} key ${keyId}` });
}

/**
 * A pack keeps its layer (in the catalog and within the release); a version is new, a byte-identical
 * re-publish, or a forbidden change.
 */
function planPackFile(file: PackFile, facts: CatalogFacts, layerInRelease: Map<string, Layer>, plan: ReleasePlan) {
  const { name, version, layer } = file.pack;
  const publishedLayer = facts.packLayers.get(name);
  if (publishedLayer && publishedLayer !== layer) {
    plan.findings.push({
      file: file.file,
      problem: `pack ${name} is published in layer ${publishedLayer}, release.json says ${layer}`,
    });
  }
  const otherLayer = layerInRelease.get(name);
  if (otherLayer && otherLayer !== layer) {
    plan.findings.push({ file: file.file, problem: `pack ${name} is listed in layers ${otherLayer} and ${layer}` });
  }
  layerInRelease.set(name, layer);
  const published = facts.packVersions.get(packRefId({ name, version }));
  if (!published) {
    if (!fileNameTaken(facts, file, plan)) plan.newPacks.push(file);
  } else if (published.sha256 === file.sha256 && published.size === file.size) plan.alreadyPublished.push(file.file);
  else {
    plan.findings.push({
      file: file.file,
      problem: `would change published pack ${name} ${version} (published sha256 ${short(published.sha256)}…, release.json ${short(file.sha256)}…)`,
    });
  }
}

/** An installer's product must be published or declared; its slot is new, the same bytes again, or a forbidden change. */
function planInstallerFile(
  file: InstallerFile,
  facts: CatalogFacts,
  declaredProducts: Set<string>,
  plan: ReleasePlan,
): void {
  if (!facts.products.has(file.product) && !declaredProducts.has(file.product)) {
    plan.findings.push({
      file: file.file,
      problem: `product '${file.product}' is neither published nor declared in release.json products`,
    });
  }
  const published = facts.artifacts.get(installerSlot(file.product, file.productVersion, file.kind));
  if (!published) {
    if (!fileNameTaken(facts, file, plan)) plan.newInstallers.push(file);
  } else if (published.sha256 === file.sha256 && published.size === file.size) plan.alreadyPublished.push(file.file);
  else {
    plan.findings.push({
      file: file.file,
      problem: `would change the published ${file.kind} of ${file.product} ${file.productVersion} (published sha256 ${short(published.sha256)}…, release.json ${short(file.sha256)}…)`,
    });
  }
}

/** A new file may not take a name the catalog already gives another artifact (or its signature). */
function fileNameTaken(facts: CatalogFacts, file: PackFile | InstallerFile, plan: ReleasePlan): boolean {
  for (const name of [file.file, file.signature]) {
    const owner = facts.fileNames.get(name);
    if (owner) {
      plan.findings.push({ file: file.file, problem: `the name ${name} is already published for ${owner}` });
      return true;
    }
  }
  return false;
}

/**
 * Products change only on purpose: a "create" entry for an existing product must repeat it exactly
 * (then it is a no-op), and only an "update" entry, signed like everything else, may change it.
 */
function planProducts(release: ReleaseManifest, facts: CatalogFacts, plan: ReleasePlan): void {
  for (const entry of release.products) {
    const existing = facts.products.get(entry.id);
    if (entry.change === "update") {
      if (!existing) plan.findings.push({ problem: `products: ${entry.id} is marked "update" but is not published` });
      else plan.productWrites.push({ entry, change: "update" });
      continue;
    }
    if (!existing) {
      plan.productWrites.push({ entry, change: "create" });
      continue;
    }
    const changed = (["name", "applianceName", "fips", "sortOrder"] as const).filter((f) => existing[f] !== entry[f]);
    if (changed.length) {
      const field = changed[0];
      plan.findings.push({
        problem: `products: ${entry.id} is published with ${field} ${JSON.stringify(existing[field])}; release.json says ${JSON.stringify(entry[field])} without "change": "update"`,
      });
    }
  }
}

/** Findings kept in a quarantined release's details; the reason line still counts them all. */
const MAX_STORED_FINDINGS = 50;

/** What a quarantined release records: its findings, capped, and how many were left out. */
export const quarantineDetails = (findings: Finding[]) => ({
  findings: findings.slice(0, MAX_STORED_FINDINGS),
  ...(findings.length > MAX_STORED_FINDINGS && { omittedFindings: findings.length - MAX_STORED_FINDINGS }),
});

/** The one-line quarantine reason: the first finding, and how many more there are. */
export function reasonLine(findings: Finding[]): string {
  const [first] = findings;
  const line = first.file ? `${first.file}: ${first.problem}` : first.problem;
  return findings.length > 1 ? `${line} (and ${findings.length - 1} more)` : line;
}
