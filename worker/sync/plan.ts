// What a parsed release would do to the catalog, decided without I/O: which files are new, which are
// byte-identical re-publishes (harmless, skipped), and which findings forbid publishing it at all.
import {
  type CatalogFacts,
  entryDigest,
  fileKeyId,
  installerSlot,
  type PackWrite,
  type ProductWrite,
  type PublishedFile,
  packWideFields,
} from "../domain/release-files";
import { type Layer, packRefId } from "../domain/vocabulary";
import type { KeyStatus } from "../key-status";
import type { InstallerFile, PackFile, ReleaseManifest } from "./release-manifest";

/** One problem with one file (or with release.json itself when `file` is absent). */
export type Finding = { file?: string; problem: string };

export type ReleasePlan = {
  findings: Finding[];
  newPacks: PackFile[];
  newInstallers: InstallerFile[];
  /** Files already published with the same bytes by an earlier release. */
  alreadyPublished: string[];
  /**
   * Files published with the same bytes whose trust this release moves to its own keys (rotation):
   * their signature, key and release change, and a version a key incident withdrew comes back.
   */
  resigned: (PackFile | InstallerFile)[];
  productWrites: ProductWrite[];
  packWrites: PackWrite[];
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
    resigned: [],
    productWrites: [],
    packWrites: [],
  };
  const declaredProducts = new Set(release.products.map((p) => p.id));
  const layerInRelease = new Map<string, Layer>();
  planProducts(release, facts, plan);

  for (const file of release.files) {
    checkSigningKey(file, fileKeyId(release, file), keys, plan);
    checkDistrust(file, [fileKeyId(release, file), release.keyId], keys, facts, plan);
    if (file.kind === "pack") planPackFile(file, facts, layerInRelease, plan, release);
    else planInstallerFile(file, facts, declaredProducts, plan, release);
  }
  planPackWrites(release, facts, plan);
  return plan;
}

/**
 * The same bytes again: a harmless re-publish, unless this release rests them on other keys than
 * the published row does (a rotation), or a key incident withdrew the row (a re-sign brings it back).
 */
function samePublishedBytes(
  file: PackFile | InstallerFile,
  published: PublishedFile,
  release: ReleaseManifest,
  plan: ReleasePlan,
): void {
  const moves =
    Boolean(published.withdrawnByKey) ||
    (published.keyId !== undefined && published.keyId !== fileKeyId(release, file)) ||
    (published.releaseKeyId !== undefined && published.releaseKeyId !== release.keyId);
  if (moves) plan.resigned.push(file);
  else plan.alreadyPublished.push(file.file);
}

/**
 * A pack's shared fields change only on purpose: a new pack creates its row; an existing one is
 * rewritten only by a file marked "change": "update" (the last such file wins), never by a new
 * version alone, since every other version shows them too.
 */
function planPackWrites(release: ReleaseManifest, facts: CatalogFacts, plan: ReleasePlan): void {
  const writes = new Map<string, ReleasePlan["packWrites"][number]>();
  const newNames = new Set(plan.newPacks.map((f) => f.pack.name));
  for (const file of release.files) {
    if (file.kind !== "pack") continue;
    const { name, layer } = file.pack;
    const exists = facts.packLayers.has(name);
    if (file.change === "update" && exists)
      writes.set(name, { name, layer, fields: packWideFields(file.pack), change: "update" });
    else if (!exists && newNames.has(name) && writes.get(name)?.change !== "update")
      writes.set(name, { name, layer, fields: packWideFields(file.pack), change: "create" });
  }
  plan.packWrites = [...writes.values()];
}

/** A file must be signed with a key that is trusted and current at this run's time. */
function checkSigningKey(file: PackFile | InstallerFile, keyId: string, keys: KeyStatuses, plan: ReleasePlan): void {
  const status = keys.get(keyId);
  if (!status) plan.findings.push({ file: file.file, problem: `unknown signing key id '${keyId}'` });
  else if (status !== "current") plan.findings.push({ file: file.file, problem: `signed with ${status} key ${keyId}` });
}

/**
 * A key the catalog distrusts (yanked by an admin, or recorded as revoked) signs nothing new, even
 * while the settings this run reads list it as current (an isolate of the previous version).
 */
function checkDistrust(
  file: PackFile | InstallerFile,
  keyIds: string[],
  keys: KeyStatuses,
  facts: CatalogFacts,
  plan: ReleasePlan,
): void {
  for (const keyId of new Set(keyIds)) {
    const cause = keys.get(keyId) === "current" && facts.distrustedKeys?.get(keyId);
    if (cause)
      plan.findings.push({
        file: file.file,
        problem: `signed under key ${keyId}, which the catalog distrusts (${cause})`,
      });
  }
}

/**
 * A pack keeps its layer (in the catalog and within the release); a version is new, a byte-identical
 * re-publish, or a forbidden change.
 */
function planPackFile(
  file: PackFile,
  facts: CatalogFacts,
  layerInRelease: Map<string, Layer>,
  plan: ReleasePlan,
  release: ReleaseManifest,
) {
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
  } else if (published.sha256 === file.sha256 && published.size === file.size) {
    // The same bytes under another key must say the same about the version as its published entry.
    if (published.entrySha256 && published.entrySha256 !== entryDigest(file)) {
      plan.findings.push({
        file: file.file,
        problem: `re-publishes pack ${name} ${version} with other metadata than its published release (entry sha256 ${short(published.entrySha256)}…, release.json ${short(entryDigest(file))}…)`,
      });
    } else samePublishedBytes(file, published, release, plan);
  } else {
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
  release: ReleaseManifest,
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
  } else if (published.sha256 === file.sha256 && published.size === file.size)
    samePublishedBytes(file, published, release, plan);
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
