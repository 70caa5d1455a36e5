// Small display helpers shared by the pages: sizes people can read, labels for the catalog's
// enumerations, and query strings that keep only the parameters that carry state.

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/**
 * 1536 → "1.5 KB"; binary multiples, since that is what `ls -lh` shows beside the downloaded file.
 * The space is a no-break space: a size never wraps between its number and its unit.
 */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))}\u00a0${UNITS[unit]}`;
}

export const CLOUD_LABELS: Record<string, string> = {
  aws: "AWS",
  azure: "Azure",
  gcp: "GCP",
  vsphere: "vSphere",
  openstack: "OpenStack",
  maas: "MAAS",
  "edge-native": "Edge Native",
  all: "All clouds",
};

export const LAYER_LABELS: Record<string, string> = {
  os: "OS",
  k8s: "Kubernetes",
  cni: "Network",
  csi: "Storage",
  addon: "Additional packs",
};

/** "a Kubernetes pack", "Storage packs": the layer named once (the add-on layer's label already says packs). */
export function layerPack(layer: string, plural = false): string {
  if (layer === "addon") return plural ? "additional packs" : "additional pack";
  return `${LAYER_LABELS[layer] ?? layer} ${plural ? "packs" : "pack"}`;
}

export const USE_CASE_LABELS: Record<string, string> = {
  controller: "Controller mode",
  agent: "Agent mode or Appliance mode",
  addon: "Add-on only",
};

export const ARCH_LABELS: Record<string, string> = { amd64: "AMD64", arm64: "ARM64" };

export const INSTALLER_LABELS: Record<string, string> = {
  "content-bundle": "Content bundle",
  iso: "ISO",
  "helm-chart": "Helm installation",
};

export const label = (labels: Record<string, string>, key: string | null | undefined) =>
  key ? (labels[key] ?? key) : "";

/** A query string from the parameters that have a value, in the order given, so URLs stay stable. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString().replace(/%40/g, "@").replace(/%2C/g, ",");
  return text ? `?${text}` : "";
}
