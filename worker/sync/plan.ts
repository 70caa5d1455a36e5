// What a parsed release would do to the catalog, decided without I/O: which files are new, which are
// byte-identical re-publishes (harmless, skipped), and which findings forbid publishing it at all.
import type { Layer } from "../db/schema";
import {
  fileKeyId,
  installerSlot,
  packVersionId,
  type InstallerFile,
  type PackFile,
  type ReleaseManifest,
} from "./release-manifest";

export { installerSlot, packVersionId };

/** One problem with one file (or with release.json itself when `file` is absent). */
export type Finding = { file?: string; problem: string };

/** What the catalog already holds for the names a release touches. */
export type CatalogFacts = {
  /** Published pack versions by `${name}@${version}`. */
  packVersions: Map<string, { sha256: string; size: number }>;
  packLayers: Map<string, Layer>;
  /** Published installers by `${product}@${version}/${kind}`. */
  artifacts: Map<string, { sha256: string; size: number }>;
  products: Set<string>;
};

type ReleasePlan = {
  findings: Finding[];
  newPacks: PackFile[];
  newInstallers: InstallerFile[];
  /** Files already published with the same bytes by an earlier release. */
  alreadyPublished: string[];
};

const short = (sha: string) => sha.slice(0, 12);

export function planRelease(
  release: ReleaseManifest,
  facts: CatalogFacts,
  trustedKeyIds: ReadonlySet<string>,
): ReleasePlan {
  const plan: ReleasePlan = { findings: [], newPacks: [], newInstallers: [], alreadyPublished: [] };
  const declaredProducts = new Set(release.products.map((p) => p.id));
  const layerInRelease = new Map<string, Layer>();

  for (const file of release.files) {
    const keyId = fileKeyId(release, file);
    if (!trustedKeyIds.has(keyId))
      plan.findings.push({ file: file.file, problem: `unknown signing key id '${keyId}'` });

    if (file.kind === "pack") {
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
      const published = facts.packVersions.get(packVersionId(name, version));
      if (!published) plan.newPacks.push(file);
      else if (published.sha256 === file.sha256 && published.size === file.size) plan.alreadyPublished.push(file.file);
      else {
        plan.findings.push({
          file: file.file,
          problem: `would change published pack ${name} ${version} (published sha256 ${short(published.sha256)}…, release.json ${short(file.sha256)}…)`,
        });
      }
    } else {
      if (!facts.products.has(file.product) && !declaredProducts.has(file.product)) {
        plan.findings.push({
          file: file.file,
          problem: `product '${file.product}' is neither published nor declared in release.json products`,
        });
      }
      const published = facts.artifacts.get(installerSlot(file.product, file.productVersion, file.kind));
      if (!published) plan.newInstallers.push(file);
      else if (published.sha256 === file.sha256 && published.size === file.size) plan.alreadyPublished.push(file.file);
      else {
        plan.findings.push({
          file: file.file,
          problem: `would change the published ${file.kind} of ${file.product} ${file.productVersion} (published sha256 ${short(published.sha256)}…, release.json ${short(file.sha256)}…)`,
        });
      }
    }
  }
  return plan;
}

/** The one-line quarantine reason: the first finding, and how many more there are. */
export function reasonLine(findings: Finding[]): string {
  const [first] = findings;
  const line = first.file ? `${first.file}: ${first.problem}` : first.problem;
  return findings.length > 1 ? `${line} (and ${findings.length - 1} more)` : line;
}
