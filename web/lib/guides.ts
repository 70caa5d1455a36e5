// The Spectro Cloud guides the Artifact Studio docs send users to once they have their files: where
// the appliance is installed, how signatures work, and how packs reach a management appliance. The
// addresses are the docs.spectrocloud.com pages the docs link (their source is spectrocloud/librarium).
const DOCS = "https://docs.spectrocloud.com";

export type Guide = { title: string; href: string; what: string };

export const GUIDES = {
  paletteAppliance: {
    title: "Palette Management Appliance Installation guide",
    href: `${DOCS}/self-hosted-setup/palette/management-appliance/install/`,
    what: "deploy Palette from the ISO on a virtual machine, edge device or bare metal",
  },
  vertexAppliance: {
    title: "VerteX Management Appliance Installation guide",
    href: `${DOCS}/self-hosted-setup/vertex/management-appliance/install/`,
    what: "deploy Palette VerteX from the ISO on a virtual machine, edge device or bare metal",
  },
  artifactSignatures: {
    title: "Artifact Signatures guide",
    href: `${DOCS}/security/artifact-signatures/`,
    what: "how Spectro Cloud signs artifacts and the images inside them",
  },
  uploadPalette: {
    title: "Upload Packs to Palette",
    href: `${DOCS}/self-hosted-setup/palette/management-appliance/upload-packs/`,
    what: "put the downloaded .zst packs into a self-hosted Palette management appliance",
  },
  uploadVertex: {
    title: "Upload Packs to Palette VerteX",
    href: `${DOCS}/self-hosted-setup/vertex/management-appliance/upload-packs/`,
    what: "put the downloaded .zst packs into a Palette VerteX management appliance",
  },
  paletteCliContent: {
    title: "Palette CLI content commands",
    href: `${DOCS}/automation/palette-cli/commands/content/`,
    what: "move and manipulate .zst bundles with the Palette CLI",
  },
} satisfies Record<string, Guide>;

/** What comes after a download: packs go to an appliance, installers install one; both get verified. */
export function guidesAfter(kind: "packs" | "installers", productId?: string): Guide[] {
  const vertex = productId === "palette-vertex";
  const palette = productId === "palette-enterprise";
  if (kind === "installers")
    return [
      ...(vertex ? [] : [GUIDES.paletteAppliance]),
      ...(palette ? [] : [GUIDES.vertexAppliance]),
      GUIDES.artifactSignatures,
    ];
  return [
    ...(vertex ? [] : [GUIDES.uploadPalette]),
    ...(palette ? [] : [GUIDES.uploadVertex]),
    GUIDES.paletteCliContent,
    GUIDES.artifactSignatures,
  ];
}
