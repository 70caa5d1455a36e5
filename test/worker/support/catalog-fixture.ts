// A small, realistic catalog for the catalog API tests, written through drizzle exactly as the
// schema describes a published catalog (what the sync's publish step produces): pack_versions.id
// is `${name}@${version}`, versions carry versionSortKey keys, product ranges carry min/max keys.
import { displaySortKey } from "../../../worker/domain/display-sort";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { bumpGeneration } from "../../../worker/db/change-log";
import {
  type Arch,
  type DependencyType,
  INSTALLER_KINDS,
  type InstallerKind,
  type Layer,
  type UseCase,
  versionSortKey,
} from "../../../worker/domain/vocabulary";
import { rebuildFacetCountStatements } from "../../../worker/db/counts/facets";
import { keepAssessedStatement } from "../../../worker/db/layer-candidates";
import * as schema from "../../../worker/db/schema";
import { blobKey } from "../../../worker/storage";

export type FixtureVersion = {
  version: string;
  fips?: boolean;
  arches: Arch[];
  clouds: string[]; // a Cloud or "all"
  useCases: UseCase[];
  products: { product: string; minVersion?: string; maxVersion?: string }[];
  dependencies?: { packName: string; layer: Layer; type: DependencyType; minVersion?: string; maxVersion?: string }[];
  kernel?: string;
  eol?: string;
  yanked?: boolean;
};

export type FixturePack = {
  name: string;
  displayName: string;
  layer: Layer;
  addonType?: string;
  description?: string;
  source?: "spectrocloud" | "community";
  versions: FixtureVersion[];
};

export const FIXTURE_PRODUCTS = [
  {
    id: "palette-enterprise",
    name: "Palette Enterprise",
    applianceName: "Palette Enterprise Appliance",
    fips: false,
    sortOrder: 0,
    versions: ["4.5.23", "4.6.12", "4.7.3"],
  },
  {
    id: "palette-vertex",
    name: "Palette VerteX",
    applianceName: "Palette VerteX Appliance",
    fips: true,
    sortOrder: 1,
    versions: ["4.6.12", "4.7.3"],
  },
];

const both = [{ product: "palette-enterprise" }, { product: "palette-vertex" }];
const controller: UseCase[] = ["controller"];
const everyUseCase: UseCase[] = ["controller", "agent", "addon"];

export const FIXTURE_PACKS: FixturePack[] = [
  {
    name: "ubuntu-aws",
    displayName: "Ubuntu on AWS",
    layer: "os",
    description: "Ubuntu LTS images for Amazon EC2.",
    versions: [
      {
        version: "22.04",
        arches: ["amd64"],
        clouds: ["aws"],
        useCases: controller,
        products: [{ product: "palette-enterprise", maxVersion: "4.6.99" }],
        kernel: "5.15",
        eol: "2027-04-30",
      },
      {
        version: "24.04",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["aws"],
        useCases: controller,
        products: [
          { product: "palette-enterprise", minVersion: "4.6.0" },
          { product: "palette-vertex", minVersion: "4.6.0" },
        ],
        kernel: "6.8",
      },
    ],
  },
  {
    name: "rhel",
    displayName: "Red Hat Enterprise Linux",
    layer: "os",
    description: "RHEL base images for data centers and public clouds.",
    versions: [
      { version: "8.10", fips: true, arches: ["amd64"], clouds: ["all"], useCases: controller, products: both },
    ],
  },
  {
    name: "ubuntu-edge",
    displayName: "Ubuntu (Edge)",
    layer: "os",
    description: "Ubuntu for appliances at the edge.",
    versions: [
      {
        version: "22.04",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["edge-native"],
        useCases: ["agent"],
        products: both,
      },
    ],
  },
  {
    name: "kubernetes",
    displayName: "Palette eXtended Kubernetes",
    layer: "k8s",
    description: "CNCF-conformant Kubernetes hardened by Spectro Cloud.",
    versions: [
      { version: "1.28.0", arches: ["amd64"], clouds: ["all"], useCases: controller, products: both, yanked: true },
      { version: "1.29.8", arches: ["amd64"], clouds: ["all"], useCases: controller, products: both },
      {
        version: "1.30.4",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: controller,
        products: both,
      },
      {
        version: "1.31.2",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: controller,
        products: both,
      },
      {
        version: "1.32.3",
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: controller,
        products: [{ product: "palette-enterprise", minVersion: "4.6.0" }],
        eol: "2026-02-28",
      },
    ],
  },
  {
    name: "edge-k8s",
    displayName: "Palette Optimized Edge Kubernetes",
    layer: "k8s",
    description: "Kubernetes for edge appliances.",
    versions: [
      {
        version: "1.30.4",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["edge-native"],
        useCases: ["agent"],
        products: both,
      },
    ],
  },
  {
    name: "cni-calico",
    displayName: "Calico",
    layer: "cni",
    description: "Networking and network policy with Calico.",
    versions: [
      {
        version: "3.26.0",
        arches: ["amd64"],
        clouds: ["all"],
        useCases: everyUseCase,
        products: both,
        dependencies: [{ packName: "kubernetes", layer: "k8s", type: "required", maxVersion: "1.29.99" }],
      },
      {
        version: "3.29.2",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: everyUseCase,
        products: both,
        dependencies: [{ packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.29" }],
      },
    ],
  },
  {
    name: "cni-cilium",
    displayName: "Cilium",
    layer: "cni",
    description: "eBPF-based networking, observability and security.",
    versions: [
      {
        version: "1.16.1",
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: controller,
        products: both,
        dependencies: [
          { packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.29", maxVersion: "1.31" },
        ],
      },
    ],
  },
  {
    name: "cni-flannel",
    displayName: "Flannel",
    layer: "cni",
    description: "A simple overlay network.",
    versions: [
      {
        version: "0.24.0",
        arches: ["amd64"],
        clouds: ["all"],
        useCases: controller,
        products: [{ product: "palette-enterprise" }],
      },
    ],
  },
  {
    name: "csi-aws-ebs",
    displayName: "Amazon EBS CSI",
    layer: "csi",
    description: "Block storage on Amazon EBS.",
    versions: [
      {
        version: "1.41.0",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["aws"],
        useCases: controller,
        products: both,
        dependencies: [{ packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.30" }],
      },
    ],
  },
  {
    name: "csi-vsphere-csi",
    displayName: "vSphere CSI",
    layer: "csi",
    description: "Storage on vSphere datastores.",
    versions: [{ version: "3.3.1", arches: ["amd64"], clouds: ["vsphere"], useCases: controller, products: both }],
  },
  {
    name: "spectro-k8s-dashboard",
    displayName: "Spectro Kubernetes Dashboard",
    layer: "addon",
    addonType: "monitoring",
    description: "The Kubernetes dashboard, pre-configured for Palette.",
    versions: [
      {
        version: "7.11.1",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: everyUseCase,
        products: both,
      },
    ],
  },
  {
    name: "prometheus-operator",
    displayName: "Prometheus Operator",
    layer: "addon",
    addonType: "monitoring",
    description: "Metrics collection and alerting.",
    versions: [
      {
        version: "65.1.0",
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: everyUseCase,
        products: both,
        dependencies: [{ packName: "cni-flannel", layer: "cni", type: "notSupported", maxVersion: "0.24.99" }],
      },
    ],
  },
  {
    name: "nginx",
    displayName: "Nginx Ingress",
    layer: "addon",
    addonType: "ingress",
    description: 'An ingress controller; the "classic" choice.',
    versions: [
      { version: "1.10.0", arches: ["amd64"], clouds: ["all"], useCases: ["controller", "addon"], products: both },
      {
        version: "1.11.2",
        fips: true,
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: ["controller", "addon"],
        products: both,
      },
    ],
  },
  {
    name: "istio",
    displayName: "Istio",
    layer: "addon",
    addonType: "servicemesh",
    description: "Service mesh.",
    versions: [
      {
        version: "1.23.0",
        arches: ["amd64"],
        clouds: ["aws", "azure", "gcp"],
        useCases: ["controller", "addon"],
        products: both,
        dependencies: [{ packName: "cni-cilium", layer: "cni", type: "required" }],
      },
    ],
  },
  {
    name: "hello-universe",
    displayName: "Hello Universe",
    layer: "addon",
    addonType: "system app",
    source: "community",
    description: "A demo application (AND it says hello).",
    versions: [
      {
        version: "1.2.0",
        arches: ["amd64", "arm64"],
        clouds: ["all"],
        useCases: everyUseCase,
        products: [{ product: "palette-enterprise" }],
      },
    ],
  },
  {
    name: "retired-logger",
    displayName: "Retired Logger",
    layer: "addon",
    addonType: "logging",
    description: "Every version yanked; must never be listed.",
    versions: [
      { version: "2.0.0", arches: ["amd64"], clouds: ["all"], useCases: everyUseCase, products: both, yanked: true },
    ],
  },
];

export const catalogDb = () => drizzle(env.DB, { schema });

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const INSTALLER_FILES: Record<InstallerKind, (productId: string, version: string) => string> = {
  "content-bundle": (p, v) => `${p}-${v}.tar.zst`,
  iso: (p, v) => `${p}-appliance-${v}.iso`,
  "helm-chart": (p, v) => `${p}-helm-${v}.tgz`,
};
const signatureOf = (file: string) => `${file.replace(/\.zst$/, "")}.sig.bin`;

/** Removes every catalog row, leaving the schema and catalog_state. */
export async function clearCatalog(): Promise<void> {
  const db = catalogDb();
  await db.batch([
    db.delete(schema.packDependencies),
    db.delete(schema.packVersionProducts),
    db.delete(schema.packVersionUseCases),
    db.delete(schema.packVersionArches),
    db.delete(schema.packVersionClouds),
    db.delete(schema.packVersions),
    db.delete(schema.packs),
    db.delete(schema.releaseArtifacts),
    db.delete(schema.productVersions),
    db.delete(schema.products),
    db.delete(schema.packFacetCounts),
    db.delete(schema.packFacetProfiles),
    db.delete(schema.packFacetSummaries),
    db.delete(schema.packProductRanges),
  ]);
}

/** Replaces the catalog with the given products and packs, in one batch. */
export async function seedCatalog(packs: FixturePack[] = FIXTURE_PACKS, products = FIXTURE_PRODUCTS): Promise<void> {
  await clearCatalog();
  const db = catalogDb();
  const releaseId = "fixture-release";
  const statements = [];
  for (const p of products) {
    statements.push(
      db
        .insert(schema.products)
        .values({ id: p.id, name: p.name, applianceName: p.applianceName, fips: p.fips, sortOrder: p.sortOrder }),
    );
    for (const version of p.versions) {
      statements.push(
        db
          .insert(schema.productVersions)
          .values({ productId: p.id, version, versionKey: versionSortKey(version), releaseId }),
      );
      for (const kind of INSTALLER_KINDS) {
        const fileName = INSTALLER_FILES[kind](p.id, version);
        statements.push(
          db.insert(schema.releaseArtifacts).values({
            productId: p.id,
            version,
            kind,
            fileName,
            objectKey: `releases/${releaseId}/${fileName}`,
            size: 1_000_000 + fileName.length,
            sha256: await sha256Hex(fileName),
            signatureFileName: signatureOf(fileName),
            // Content-addressed, as the sync stores every signature: its sha256 is the key's.
            signatureKey: blobKey(await sha256Hex(signatureOf(fileName))),
            signatureSize: 72,
            keyId: "test-ec",
            releaseId,
          }),
        );
      }
    }
  }
  for (const pack of packs) {
    statements.push(
      db.insert(schema.packs).values({
        name: pack.name,
        displayName: pack.displayName,
        layer: pack.layer,
        addonType: pack.addonType ?? null,
        description: pack.description ?? "",
        source: pack.source ?? "spectrocloud",
        displaySortKey: displaySortKey(pack.displayName, pack.name),
      }),
    );
    for (const v of pack.versions) {
      const id = `${pack.name}@${v.version}`;
      const fileName = `${pack.name}-${v.version}.zst`;
      statements.push(
        db.insert(schema.packVersions).values({
          id,
          packName: pack.name,
          version: v.version,
          versionKey: versionSortKey(v.version),
          kernel: v.kernel ?? null,
          eol: v.eol ?? null,
          fips: v.fips ?? false,
          fileName,
          objectKey: `packs/${pack.name}/${fileName}`,
          size: 10_000 + fileName.length,
          sha256: await sha256Hex(fileName),
          signatureFileName: signatureOf(fileName),
          signatureKey: blobKey(await sha256Hex(signatureOf(fileName))),
          signatureSize: 71,
          keyId: "test-ec",
          releaseId,
          yanked: v.yanked ?? false,
          yankedAt: v.yanked ? Date.now() : null,
          yankReason: v.yanked ? "fixture: yanked" : null,
        }),
        db.insert(schema.packVersionClouds).values(v.clouds.map((cloud) => ({ packVersionId: id, cloud }))),
        db.insert(schema.packVersionArches).values(v.arches.map((arch) => ({ packVersionId: id, arch }))),
        db.insert(schema.packVersionUseCases).values(v.useCases.map((useCase) => ({ packVersionId: id, useCase }))),
        db.insert(schema.packVersionProducts).values(
          v.products.map((r) => ({
            packVersionId: id,
            productId: r.product,
            minVersion: r.minVersion ?? null,
            maxVersion: r.maxVersion ?? null,
            minVersionKey: r.minVersion ? versionSortKey(r.minVersion) : null,
            maxVersionKey: r.maxVersion ? versionSortKey(r.maxVersion) : null,
          })),
        ),
      );
      if (v.dependencies?.length) {
        statements.push(
          db.insert(schema.packDependencies).values(
            v.dependencies.map((d) => ({
              packVersionId: id,
              packName: d.packName,
              layer: d.layer,
              type: d.type,
              minVersion: d.minVersion ?? null,
              maxVersion: d.maxVersion ?? null,
            })),
          ),
        );
      }
    }
  }
  // A publish bumps the generation and keeps the facet counts in its batch; so does the fixture, or
  // catalog caches keyed by the generation would answer with what an earlier seed left.
  const [first, ...rest] = statements;
  await db.batch([
    first,
    ...rest,
    keepAssessedStatement(db, sql`1`),
    bumpGeneration(db),
    ...rebuildFacetCountStatements(db),
  ]);
}

/** Bumps the catalog generation as a publish or yank does. */
export async function bumpCatalogGeneration(): Promise<void> {
  await bumpGeneration(catalogDb());
}

/** Many similar add-ons, for walking pages. */
/** A 1.0.0 amd64 build for every cloud and use case, published for Palette Enterprise only. */
export const plainVersion = (): FixtureVersion => ({
  version: "1.0.0",
  arches: ["amd64"],
  clouds: ["all"],
  useCases: ["controller", "agent", "addon"],
  products: [{ product: "palette-enterprise" }],
});

export function manyAddons(count: number): FixturePack[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `addon-${String(i).padStart(3, "0")}`,
    displayName: `Add-on ${i}`,
    layer: "addon" as const,
    addonType: i % 2 ? "logging" : "security",
    description: `Generated add-on number ${i}.`,
    versions: [
      { version: "1.0.0", arches: ["amd64"] as Arch[], clouds: ["all"], useCases: everyUseCase, products: both },
      ...(i % 3 === 0
        ? [
            {
              version: "1.1.0",
              fips: true,
              arches: ["amd64", "arm64"] as Arch[],
              clouds: ["aws"],
              useCases: everyUseCase,
              products: both,
            },
          ]
        : []),
    ],
  }));
}
