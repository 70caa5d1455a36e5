// Products (Palette Enterprise, Palette VerteX), their versions, and each version's installers:
// the content bundle, the management-appliance ISO and the Helm chart, each with its signature.
import type { Db } from "../db/client";
import type { SignedArtifactInfo } from "../db/pack-versions";
import { readInstallerRows, readProductsAndVersions } from "../db/product-rows";
import { INSTALLER_KINDS, type InstallerKind } from "../domain/vocabulary";
import { notFound } from "../errors";

/** The wording of the public documentation's "Download Option / Use Case" table. */
export const INSTALLERS: Record<InstallerKind, { label: string; useCase: string }> = {
  "content-bundle": { label: "Content bundle", useCase: "Used for traditional application install." },
  iso: {
    label: "ISO",
    useCase: "Used to install from an ISO on a virtual machine, edge device, or bare-metal system.",
  },
  "helm-chart": { label: "Helm chart", useCase: "Used to install with Helm charts." },
};

/**
 * `withdrawn`: every installer the version had was withdrawn (its key revoked or yanked) or yanked, so
 * nothing of it is offered; the reason one of them gives. Absent while anything is offered, or nothing
 * was published yet.
 */
export type ProductVersion = { version: string; publishedAt: string; withdrawn?: string };
export type Product = { id: string; name: string; applianceName: string; fips: boolean; versions: ProductVersion[] };

/** Every product in display order, each with its versions newest first (withdrawn ones marked). */
export async function listProducts(db: Db): Promise<Product[]> {
  const { productRows, versionRows } = await readProductsAndVersions(db);
  return productRows.map((p) => ({
    id: p.id,
    name: p.name,
    applianceName: p.applianceName,
    fips: p.fips,
    versions: versionRows
      .filter((v) => v.productId === p.id)
      .map((v) => ({
        version: v.version,
        publishedAt: new Date(v.publishedAt).toISOString(),
        ...(v.installers > 0 && v.offered === 0 && { withdrawn: v.yankReason ?? "every installer was yanked" }),
      })),
  }));
}

export type Installer = SignedArtifactInfo & { kind: InstallerKind; label: string; useCase: string };

export type Installers = {
  product: Omit<Product, "versions">;
  version: ProductVersion;
  artifacts: Installer[];
};

/** A product version's installers, in the documentation's order; 404 for an unknown product or version. */
export async function getInstallers(db: Db, productId: string, version: string): Promise<Installers> {
  const { product, productVersion, artifacts } = await readInstallerRows(db, productId, version);
  if (!product) throw notFound(`product ${productId}`);
  if (!productVersion) throw notFound(`${product.name} version ${version}`);
  return {
    product: { id: product.id, name: product.name, applianceName: product.applianceName, fips: product.fips },
    version: { version: productVersion.version, publishedAt: new Date(productVersion.publishedAt).toISOString() },
    artifacts: artifacts
      .sort((a, b) => INSTALLER_KINDS.indexOf(a.kind) - INSTALLER_KINDS.indexOf(b.kind))
      .map((a) => ({
        kind: a.kind,
        ...INSTALLERS[a.kind],
        fileName: a.fileName,
        size: a.size,
        sha256: a.sha256,
        signatureFileName: a.signatureFileName,
        signatureSize: a.signatureSize,
        keyId: a.keyId,
        publishedAt: new Date(a.publishedAt).toISOString(),
      })),
  };
}
