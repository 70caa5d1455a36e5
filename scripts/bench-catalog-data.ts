// A large synthetic pack catalog for scripts/bench-catalog.ts: deterministic (seeded), valid against
// the release.json contract, and spread like the real one: most packs are add-ons, every layer has
// packs for every cloud and architecture, some versions are FIPS builds (and so also published for
// VerteX), some are bounded to product versions, and some carry required, optional or notSupported
// dependencies. scripts/demo-catalog.ts writes it, signed in-process by nodeSigner: tens of thousands
// of openssl processes would take minutes (the demo itself keeps signing with the real openssl).
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { ARCHES, CLOUDS, type Layer } from "../worker/domain/vocabulary";
import type { PackManifest } from "../worker/sync/release-manifest";
import { type DemoKey, type FileSigner, packFile, type PlannedRelease } from "./demo-catalog";
import { DEMO_PRODUCTS } from "./demo-packs";
import { type SeededRandom, seededRandom } from "./seeded-random";

/** Share of packs per layer, close to the public catalog's. */
const LAYER_SHARES: [Layer, number][] = [
  ["os", 0.08],
  ["k8s", 0.04],
  ["cni", 0.04],
  ["csi", 0.06],
  ["addon", 0.78],
];
const ADDON_TYPES = [
  "monitoring",
  "logging",
  "security",
  "ingress",
  "load balancer",
  "servicemesh",
  "registry",
  "system app",
  "authentication",
];
const WORDS = [
  "aurora",
  "basalt",
  "cobalt",
  "delta",
  "ember",
  "fjord",
  "granite",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "meridian",
  "nimbus",
  "onyx",
  "prism",
  "quartz",
  "raven",
  "summit",
  "tundra",
];
const PACKS_PER_RELEASE = 100;

type Random = SeededRandom;

function layerFor(index: number, total: number): Layer {
  let edge = 0;
  for (const [layer, share] of LAYER_SHARES) {
    edge += share * total;
    if (index < edge) return layer;
  }
  return "addon";
}

const productVersions = DEMO_PRODUCTS[0].versions;

/** The products a version is published for: Enterprise always, VerteX only for FIPS builds; sometimes bounded. */
function productsFor(random: Random, fips: boolean): PackManifest["products"] {
  const bound = random.chance(0.2)
    ? random.chance(0.5)
      ? { minVersion: productVersions[1] }
      : { maxVersion: productVersions[1] }
    : {};
  return DEMO_PRODUCTS.filter((p) => fips || !p.fips).map((p) => ({ product: p.id, ...bound }));
}

function cloudsFor(random: Random): PackManifest["cloudTypes"] {
  if (random.chance(0.25)) return ["all"];
  return random.some(CLOUDS, 3);
}

type Earlier = { name: string; layer: Layer; firstVersion: string };

function dependenciesFor(
  random: Random,
  layer: Layer,
  earlier: Earlier[],
): PackManifest["constraints"]["dependencies"] {
  const k8s = earlier.filter((p) => p.layer === "k8s");
  const addons = earlier.filter((p) => p.layer === "addon");
  const cnis = earlier.filter((p) => p.layer === "cni");
  const deps: PackManifest["constraints"]["dependencies"] = [];
  if ((layer === "addon" || layer === "csi") && k8s.length && random.chance(0.3)) {
    deps.push({ packName: random.pick(k8s).name, layer: "k8s", minVersion: "1.28.0", type: "optional" });
  }
  if (layer === "addon" && addons.length && random.chance(0.1)) {
    const target = random.pick(addons);
    deps.push({ packName: target.name, layer: "addon", minVersion: target.firstVersion, type: "required" });
  }
  if (layer === "addon" && cnis.length && random.chance(0.05))
    deps.push({ packName: random.pick(cnis).name, layer: "cni", type: "notSupported" });
  if (layer === "cni" && k8s.length && random.chance(0.2))
    deps.push({ packName: random.pick(k8s).name, layer: "k8s", type: "required" });
  return deps;
}

/** `count` packs with 1-4 versions each (about 2.5 on average). */
export function syntheticPackManifests(count: number, seed = 20261128): PackManifest[] {
  const random = seededRandom(seed);
  const manifests: PackManifest[] = [];
  const earlier: Earlier[] = [];
  for (let i = 0; i < count; i++) {
    const layer = layerFor(i, count);
    const word = random.pick(WORDS);
    const name = `${layer}-${word}-${String(i).padStart(5, "0")}`;
    const addonType = layer === "addon" ? random.pick(ADDON_TYPES) : undefined;
    const displayName = `${word[0].toUpperCase()}${word.slice(1)} ${layer === "addon" ? addonType : layer.toUpperCase()} ${i}`;
    const description = `${displayName}: ${random.pick(WORDS)} ${random.pick(WORDS)} ${addonType ?? layer} pack for airgapped clusters.`;
    const cloudTypes = cloudsFor(random);
    const architectures: PackManifest["architectures"] = random.chance(0.6) ? [...ARCHES] : ["amd64"];
    const useCases: PackManifest["useCases"] =
      layer === "addon"
        ? random.pick([["controller", "agent", "addon"], ["controller", "addon"], ["addon"]] as const).slice()
        : random.chance(0.7)
          ? ["controller"]
          : ["agent", "controller"];
    const major = 1 + Math.floor(random.next() * 9);
    const versionCount = 1 + Math.floor(random.next() * 4);
    const firstVersion = `${major}.0.${Math.floor(random.next() * 20)}`;
    for (let v = 0; v < versionCount; v++) {
      const fips = random.chance(0.4);
      manifests.push({
        name,
        displayName,
        version: v === 0 ? firstVersion : `${major}.${v}.${Math.floor(random.next() * 20)}`,
        layer,
        ...(addonType ? { addonType } : {}),
        ...(layer === "os" ? { kernel: random.pick(["5.15", "6.1", "6.8"]) } : {}),
        description,
        cloudTypes,
        annotations: { source: random.chance(0.8) ? "spectrocloud" : "community" },
        ...(v === 0 && versionCount > 1 && random.chance(0.3) ? { eol: "2025-12-31" } : {}),
        constraints: { dependencies: dependenciesFor(random, layer, earlier) },
        architectures,
        fips,
        useCases,
        products: productsFor(random, fips),
      });
    }
    earlier.push({ name, layer, firstVersion });
  }
  return manifests;
}

/** Pack versions in releases of PACKS_PER_RELEASE files, as a publisher shipping in batches would. */
export function syntheticPackReleases(manifests: PackManifest[]): PlannedRelease[] {
  const releases: PlannedRelease[] = [];
  for (let start = 0; start < manifests.length; start += PACKS_PER_RELEASE) {
    const n = String(releases.length).padStart(3, "0");
    releases.push({
      releaseId: `bench-packs-${n}`,
      products: [],
      files: manifests.slice(start, start + PACKS_PER_RELEASE).map(packFile),
    });
  }
  return releases;
}

/**
 * Signs like `openssl dgst -sha256 -sign <key>`: SHA-256, and for an EC key a DER-encoded ECDSA
 * signature (RSA keys get PKCS#1 v1.5), so `openssl dgst -verify` accepts the result.
 */
export function nodeSigner(): FileSigner {
  const keys = new Map<string, KeyObject>();
  const keyFor = async (key: DemoKey) =>
    keys.get(key.privateKeyPath) ??
    keys.set(key.privateKeyPath, createPrivateKey(await readFile(key.privateKeyPath))).get(key.privateKeyPath)!;
  return async (key, file, signatureFile) => {
    await writeFile(signatureFile, sign("sha256", await readFile(file), await keyFor(key)));
  };
}
