// The demo catalog's content: two products and ~70 packs modelled on Spectro Cloud's public packs
// (names, layers, addon types, clouds, real-world version constraints). Only data and the small
// helpers that expand it into pack.json manifests; scripts/demo-catalog.ts turns it into signed files.
// It carries the exact versions of the docs' verification example (cni-calico 3.29.2, csi-aws-ebs 1.41.0,
// kubernetes 1.32.3, spectro-k8s-dashboard 7.11.1, ubuntu-aws 22.04), so that bundle can be built here.
import type { PackManifest } from "../worker/sync/release-manifest";

export const DEMO_PRODUCTS = [
  {
    id: "palette-enterprise",
    name: "Palette Enterprise",
    applianceName: "Palette Enterprise Appliance",
    fips: false,
    sortOrder: 0,
    bundle: "airgap",
    versions: ["4.5.23", "4.6.12", "4.7.3"],
  },
  {
    id: "palette-vertex",
    name: "Palette VerteX",
    applianceName: "Palette VerteX Appliance",
    fips: true,
    sortOrder: 1,
    bundle: "airgap-vertex",
    versions: ["4.5.23", "4.6.12", "4.7.3"],
  },
] as const;

type PackInput = Omit<
  PackManifest,
  "version" | "eol" | "fips" | "products" | "constraints" | "kernel" | "annotations"
> & {
  source?: "spectrocloud" | "community";
  versions: VersionInput[];
};

type VersionInput = {
  v: string;
  fips?: boolean;
  eol?: string;
  kernel?: string;
  /** Palette versions this pack version is published for; absent = every demo product version. */
  since?: string;
  until?: string;
  /** arm64 builds lag behind for some packs. */
  arches?: PackManifest["architectures"];
  deps?: PackManifest["constraints"]["dependencies"];
};

const both: PackManifest["architectures"] = ["amd64", "arm64"];
const amd64: PackManifest["architectures"] = ["amd64"];
const controller: PackManifest["useCases"] = ["controller"];
const edge: PackManifest["useCases"] = ["agent", "controller"];
const anyUse: PackManifest["useCases"] = ["controller", "agent", "addon"];

/** "Tested from Kubernetes X on": informs the wizard but hides nothing (optional), whichever distro is chosen. */
const k8sAtLeast = (minVersion: string): PackManifest["constraints"]["dependencies"] => [
  { packName: "kubernetes", layer: "k8s", minVersion, type: "optional" },
  { packName: "edge-k8s", layer: "k8s", minVersion, type: "optional" },
];

/** A hard requirement on PXK: any other k8s pack, or a PXK outside the range, hides the pack. */
const requiresPxk = (range: {
  minVersion?: string;
  maxVersion?: string;
}): PackManifest["constraints"]["dependencies"] => [
  { packName: "kubernetes", layer: "k8s", ...range, type: "required" },
];

/**
 * Managed Kubernetes runs on its provider's node image and nothing else: the OS requires the
 * distribution and the distribution requires the OS, so the wizard pairs them whichever is chosen first.
 */
const requires = (packName: string, layer: "os" | "k8s"): PackManifest["constraints"]["dependencies"] => [
  { packName, layer, type: "required" },
];

const os = (
  name: string,
  displayName: string,
  cloud: PackManifest["cloudTypes"][number],
  architectures = amd64,
  useCases = controller,
): PackInput => ({
  name,
  displayName,
  layer: "os",
  description: `${displayName} image built by Spectro Cloud with the kubelet prerequisites and CIS hardening applied.`,
  cloudTypes: [cloud],
  architectures,
  useCases,
  versions: [
    { v: "20.04", kernel: "5.15", eol: "2025-05-31", until: "4.5.23" },
    { v: "22.04", kernel: "5.15", fips: true },
    { v: "24.04", kernel: "6.8", since: "4.6.0" },
  ],
});

const addon = (
  name: string,
  displayName: string,
  addonType: string,
  description: string,
  versions: VersionInput[],
  extra: Partial<PackInput> = {},
): PackInput => ({
  name,
  displayName,
  layer: "addon",
  addonType,
  description,
  cloudTypes: ["all"],
  architectures: both,
  useCases: anyUse,
  versions,
  ...extra,
});

export const DEMO_PACKS: PackInput[] = [
  // ---- OS ----
  os("ubuntu-aws", "Ubuntu (AWS)", "aws", both),
  os("ubuntu-azure", "Ubuntu (Azure)", "azure"),
  os("ubuntu-gcp", "Ubuntu (GCP)", "gcp"),
  os("ubuntu-vsphere", "Ubuntu (vSphere)", "vsphere"),
  os("ubuntu-maas", "Ubuntu (MAAS)", "maas", both),
  os("ubuntu-openstack", "Ubuntu (OpenStack)", "openstack"),
  os("edge-native-ubuntu", "Ubuntu (Edge Native)", "edge-native", both, edge),
  {
    name: "edge-native-opensuse",
    displayName: "openSUSE Leap (Edge Native)",
    layer: "os",
    description: "openSUSE Leap base image for Kairos-based edge hosts.",
    cloudTypes: ["edge-native"],
    architectures: both,
    useCases: edge,
    versions: [
      { v: "15.5", kernel: "5.14", eol: "2024-12-31", until: "4.5.23" },
      { v: "15.6", kernel: "6.4" },
    ],
  },
  {
    name: "edge-native-rhel",
    displayName: "RHEL (Edge Native)",
    layer: "os",
    description: "Red Hat Enterprise Linux base image for edge hosts; bring your own subscription.",
    cloudTypes: ["edge-native"],
    architectures: amd64,
    useCases: edge,
    versions: [
      { v: "8.10", kernel: "4.18", fips: true },
      { v: "9.4", kernel: "5.14", fips: true, since: "4.6.0" },
    ],
  },
  {
    name: "rhel",
    displayName: "Red Hat Enterprise Linux",
    layer: "os",
    description: "RHEL image for data-centre clusters; bring your own subscription.",
    cloudTypes: ["vsphere", "maas", "openstack"],
    architectures: amd64,
    useCases: controller,
    versions: [
      { v: "8.10", kernel: "4.18", fips: true },
      { v: "9.4", kernel: "5.14", fips: true },
    ],
  },
  {
    name: "sles-vsphere",
    displayName: "SUSE Linux Enterprise (vSphere)",
    layer: "os",
    description: "SUSE Linux Enterprise Server image for vSphere clusters.",
    cloudTypes: ["vsphere"],
    architectures: amd64,
    useCases: controller,
    versions: [
      { v: "15.5", kernel: "5.14" },
      { v: "15.6", kernel: "6.4", since: "4.6.0" },
    ],
  },
  {
    name: "amazon-linux-eks",
    displayName: "Amazon Linux (EKS)",
    layer: "os",
    description: "The EKS-optimised Amazon Linux node image.",
    cloudTypes: ["aws"],
    architectures: both,
    useCases: controller,
    versions: [
      { v: "2.0.0", eol: "2025-11-26", deps: requires("kubernetes-eks", "k8s") },
      { v: "2023.6.0", fips: true, deps: requires("kubernetes-eks", "k8s") },
    ],
  },
  {
    name: "ubuntu-aks",
    displayName: "Ubuntu (AKS)",
    layer: "os",
    description: "The AKS node image managed by Azure.",
    cloudTypes: ["azure"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "22.04", deps: requires("kubernetes-aks", "k8s") }],
  },
  {
    name: "cos-gke",
    displayName: "Container-Optimized OS (GKE)",
    layer: "os",
    description: "Google's Container-Optimized OS node image for GKE.",
    cloudTypes: ["gcp"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.0.0", deps: requires("kubernetes-gke", "k8s") }],
  },

  // ---- Kubernetes ----
  {
    name: "kubernetes",
    displayName: "Palette eXtended Kubernetes",
    layer: "k8s",
    description: "PXK: upstream Kubernetes hardened and configured by Spectro Cloud (kubeadm based).",
    cloudTypes: ["aws", "azure", "gcp", "vsphere", "maas", "openstack"],
    architectures: both,
    useCases: controller,
    versions: [
      { v: "1.28.14", fips: true, eol: "2025-02-28", until: "4.5.23" },
      { v: "1.29.10", fips: true, eol: "2025-06-30" },
      { v: "1.30.6", fips: true },
      { v: "1.31.2", fips: true },
      { v: "1.32.1", since: "4.6.0" },
      { v: "1.32.3", fips: true, since: "4.6.0" },
      { v: "1.33.1", fips: true, since: "4.7.0" },
    ],
  },
  {
    name: "edge-k8s",
    displayName: "Palette eXtended Kubernetes - Edge",
    layer: "k8s",
    description: "PXK-E: kubeadm-based Kubernetes for edge hosts, FIPS builds available.",
    cloudTypes: ["edge-native"],
    architectures: both,
    useCases: edge,
    versions: [
      { v: "1.29.10", fips: true, eol: "2025-06-30" },
      { v: "1.30.6", fips: true },
      { v: "1.31.2", fips: true },
      { v: "1.32.1", since: "4.6.0" },
      { v: "1.33.1", fips: true, since: "4.7.0" },
    ],
  },
  {
    name: "edge-k3s",
    displayName: "K3s",
    layer: "k8s",
    description: "Lightweight Kubernetes for resource-constrained edge hosts.",
    cloudTypes: ["edge-native"],
    architectures: both,
    useCases: edge,
    versions: [{ v: "1.29.10", eol: "2025-06-30" }, { v: "1.30.6" }, { v: "1.31.2" }],
  },
  {
    name: "edge-rke2",
    displayName: "RKE2 - Edge",
    layer: "k8s",
    description: "Rancher's security-focused Kubernetes distribution for edge hosts.",
    cloudTypes: ["edge-native"],
    architectures: amd64,
    useCases: edge,
    versions: [
      { v: "1.30.6", fips: true },
      { v: "1.31.2", fips: true },
    ],
  },
  {
    name: "kubernetes-rke2",
    displayName: "RKE2",
    layer: "k8s",
    description: "Rancher's security-focused Kubernetes distribution for data-centre clusters.",
    cloudTypes: ["aws", "azure", "vsphere", "maas", "openstack"],
    architectures: amd64,
    useCases: controller,
    versions: [
      { v: "1.30.6", fips: true },
      { v: "1.31.2", fips: true },
    ],
  },
  {
    name: "kubernetes-eks",
    displayName: "Amazon EKS",
    layer: "k8s",
    description: "Managed Kubernetes on AWS.",
    cloudTypes: ["aws"],
    architectures: both,
    useCases: controller,
    versions: [
      { v: "1.29", eol: "2025-03-23", deps: requires("amazon-linux-eks", "os") },
      { v: "1.30", deps: requires("amazon-linux-eks", "os") },
      { v: "1.31", fips: true, deps: requires("amazon-linux-eks", "os") },
      { v: "1.32", fips: true, since: "4.7.0", deps: requires("amazon-linux-eks", "os") },
      { v: "1.33", fips: true, since: "4.7.0", deps: requires("amazon-linux-eks", "os") },
    ],
  },
  {
    name: "kubernetes-aks",
    displayName: "Azure AKS",
    layer: "k8s",
    description: "Managed Kubernetes on Azure.",
    cloudTypes: ["azure"],
    architectures: amd64,
    useCases: controller,
    versions: [
      { v: "1.30", deps: requires("ubuntu-aks", "os") },
      { v: "1.31", deps: requires("ubuntu-aks", "os") },
    ],
  },
  {
    name: "kubernetes-gke",
    displayName: "Google GKE",
    layer: "k8s",
    description: "Managed Kubernetes on Google Cloud.",
    cloudTypes: ["gcp"],
    architectures: amd64,
    useCases: controller,
    versions: [
      { v: "1.30", deps: requires("cos-gke", "os") },
      { v: "1.31", deps: requires("cos-gke", "os") },
    ],
  },
  {
    name: "kubernetes-microk8s",
    displayName: "MicroK8s",
    layer: "k8s",
    source: "community",
    description: "Canonical's MicroK8s for MAAS and AWS clusters.",
    cloudTypes: ["maas", "aws"],
    architectures: both,
    useCases: controller,
    versions: [{ v: "1.29" }, { v: "1.30" }],
  },

  // ---- Network ----
  {
    name: "cni-calico",
    displayName: "Calico",
    layer: "cni",
    description: "Calico networking and network policy.",
    cloudTypes: ["all"],
    architectures: both,
    useCases: anyUse.filter((u) => u !== "addon"),
    versions: [
      { v: "3.27.4", eol: "2025-06-30", until: "4.6.12" },
      { v: "3.28.2", fips: true },
      { v: "3.29.1", deps: k8sAtLeast("1.29.0"), since: "4.6.0" },
      { v: "3.29.2", fips: true, deps: k8sAtLeast("1.29.0"), since: "4.6.0" },
    ],
  },
  {
    name: "cni-cilium",
    displayName: "Cilium",
    layer: "cni",
    description: "eBPF-based networking, observability and security.",
    cloudTypes: ["aws", "azure", "gcp", "vsphere", "maas", "openstack"],
    architectures: both,
    useCases: controller,
    versions: [
      { v: "1.15.10", deps: k8sAtLeast("1.27.0") },
      // Cilium 1.16 drops the pre-1.29 Kubernetes code paths.
      { v: "1.16.3", fips: true, deps: requiresPxk({ minVersion: "1.29" }) },
      { v: "1.17.0", deps: requiresPxk({ minVersion: "1.30" }), since: "4.6.0" },
    ],
  },
  {
    name: "cni-flannel",
    displayName: "Flannel",
    layer: "cni",
    description: "Simple overlay networking (VXLAN); no network policy.",
    cloudTypes: ["all"],
    architectures: both,
    useCases: anyUse.filter((u) => u !== "addon"),
    versions: [{ v: "0.24.4" }, { v: "0.26.1" }],
  },
  {
    name: "cni-antrea",
    displayName: "Antrea",
    layer: "cni",
    description: "Open vSwitch based networking for vSphere clusters.",
    cloudTypes: ["vsphere"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.15.1" }, { v: "2.1.0", deps: k8sAtLeast("1.28.0") }],
  },
  {
    name: "cni-aws-vpc-eks",
    displayName: "AWS VPC CNI (EKS)",
    layer: "cni",
    description: "Native VPC networking for EKS.",
    cloudTypes: ["aws"],
    architectures: both,
    useCases: controller,
    versions: [{ v: "1.18.3", fips: true, deps: requires("kubernetes-eks", "k8s") }],
  },
  {
    name: "cni-azure",
    displayName: "Azure CNI",
    layer: "cni",
    description: "Azure virtual network integration for AKS.",
    cloudTypes: ["azure"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.6.0", deps: requires("kubernetes-aks", "k8s") }],
  },
  {
    name: "cni-kubenet",
    displayName: "Kubenet (GKE)",
    layer: "cni",
    description: "GKE's built-in networking.",
    cloudTypes: ["gcp"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.0.0", deps: requires("kubernetes-gke", "k8s") }],
  },
  {
    name: "cni-custom",
    displayName: "Custom CNI",
    layer: "cni",
    description: "A placeholder layer for bringing your own CNI manifests.",
    cloudTypes: ["all"],
    architectures: both,
    useCases: controller,
    versions: [{ v: "0.1.0" }],
  },

  // ---- Storage ----
  {
    name: "csi-aws-ebs",
    displayName: "Amazon EBS CSI",
    layer: "csi",
    description: "Block storage from Amazon EBS.",
    cloudTypes: ["aws"],
    architectures: both,
    useCases: controller,
    versions: [
      { v: "1.33.0" },
      { v: "1.36.0", fips: true, deps: k8sAtLeast("1.29.0") },
      { v: "1.41.0", fips: true, deps: k8sAtLeast("1.30.0"), since: "4.6.0" },
    ],
  },
  {
    name: "csi-aws-efs",
    displayName: "Amazon EFS CSI",
    layer: "csi",
    description: "Shared file storage from Amazon EFS.",
    cloudTypes: ["aws"],
    architectures: both,
    useCases: controller,
    versions: [{ v: "2.0.7" }],
  },
  {
    name: "csi-azure",
    displayName: "Azure Disk CSI",
    layer: "csi",
    description: "Azure managed disks.",
    cloudTypes: ["azure"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.30.4", fips: true }, { v: "1.31.0" }],
  },
  {
    name: "csi-gcp-driver",
    displayName: "GCE Persistent Disk CSI",
    layer: "csi",
    description: "Google Compute Engine persistent disks.",
    cloudTypes: ["gcp"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.13.2" }, { v: "1.15.0", fips: true }],
  },
  {
    name: "csi-vsphere-csi",
    displayName: "vSphere CSI",
    layer: "csi",
    description: "vSphere Cloud Native Storage volumes.",
    cloudTypes: ["vsphere"],
    architectures: amd64,
    useCases: controller,
    versions: [
      // The 3.1 driver was never qualified on Kubernetes 1.32.
      { v: "3.1.2", fips: true, deps: requiresPxk({ maxVersion: "1.31" }) },
      { v: "3.3.1", fips: true, deps: k8sAtLeast("1.30.0"), since: "4.6.0" },
    ],
  },
  {
    name: "csi-rook-ceph",
    displayName: "Rook Ceph",
    layer: "csi",
    description: "Ceph block, file and object storage run by the Rook operator.",
    cloudTypes: ["all"],
    architectures: amd64,
    useCases: anyUse.filter((u) => u !== "addon"),
    versions: [{ v: "1.14.9" }, { v: "1.15.5", fips: true, deps: k8sAtLeast("1.28.0") }],
  },
  {
    name: "csi-longhorn",
    displayName: "Longhorn",
    layer: "csi",
    description: "Distributed block storage for Kubernetes.",
    cloudTypes: ["all"],
    architectures: both,
    useCases: anyUse.filter((u) => u !== "addon"),
    versions: [
      { v: "1.6.2", eol: "2025-07-31" },
      {
        v: "1.7.2",
        deps: [{ packName: "kubernetes", layer: "k8s", minVersion: "1.25", maxVersion: "1.31", type: "optional" }],
      },
    ],
  },
  {
    name: "csi-openstack-cinder",
    displayName: "OpenStack Cinder CSI",
    layer: "csi",
    description: "Block storage from OpenStack Cinder.",
    cloudTypes: ["openstack"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "1.29.0" }, { v: "1.31.0", fips: true }],
  },
  {
    name: "csi-maas-volume",
    displayName: "MAAS Volume",
    layer: "csi",
    description: "Local volumes on MAAS bare-metal machines.",
    cloudTypes: ["maas"],
    architectures: both,
    useCases: controller,
    versions: [{ v: "1.0.0", fips: true }],
  },
  {
    name: "csi-topolvm",
    displayName: "TopoLVM",
    layer: "csi",
    description: "LVM-backed local volumes with capacity-aware scheduling, for edge hosts.",
    cloudTypes: ["edge-native"],
    architectures: both,
    useCases: edge,
    versions: [
      { v: "15.0.0", fips: true },
      { v: "15.5.0", since: "4.6.0" },
    ],
  },
  {
    name: "csi-local-path-provisioner",
    displayName: "Local Path Provisioner",
    layer: "csi",
    description: "Host-path volumes for single-node edge clusters.",
    cloudTypes: ["edge-native"],
    architectures: both,
    useCases: edge,
    versions: [{ v: "0.0.30" }],
  },
  {
    name: "csi-portworx-generic",
    displayName: "Portworx",
    layer: "csi",
    source: "community",
    description: "Portworx software-defined storage.",
    cloudTypes: ["all"],
    architectures: amd64,
    useCases: controller,
    versions: [{ v: "3.1.0" }],
  },
  {
    name: "csi-nfs-subdir-external",
    displayName: "NFS Subdir External Provisioner",
    layer: "csi",
    source: "community",
    description: "Dynamic volumes as sub-directories of an existing NFS share.",
    cloudTypes: ["all"],
    architectures: both,
    useCases: anyUse.filter((u) => u !== "addon"),
    versions: [{ v: "4.0.18" }],
  },

  // ---- Add-ons ----
  addon(
    "spectro-k8s-dashboard",
    "Spectro Kubernetes Dashboard",
    "system app",
    "The Kubernetes dashboard behind Spectro Proxy.",
    [{ v: "7.5.0" }, { v: "7.10.0", since: "4.6.0" }, { v: "7.11.1", since: "4.6.0" }],
    {
      useCases: ["controller", "addon"],
    },
  ),
  addon(
    "spectro-proxy",
    "Spectro Proxy",
    "authentication",
    "Reverse proxy that lets Palette reach clusters behind NAT.",
    [{ v: "1.5.4", fips: true }],
  ),
  addon(
    "prometheus-operator",
    "Prometheus Operator",
    "monitoring",
    "kube-prometheus-stack: Prometheus, Alertmanager and Grafana.",
    [
      { v: "57.0.3", fips: true },
      { v: "65.2.0", fips: true, deps: k8sAtLeast("1.29.0") },
    ],
  ),
  addon(
    "spectro-cluster-metrics",
    "Spectro Cluster Metrics",
    "monitoring",
    "Cluster metrics for the Palette dashboard.",
    [
      {
        v: "3.4.0",
        deps: [{ packName: "prometheus-operator", layer: "addon", minVersion: "57.0.0", type: "required" }],
      },
    ],
  ),
  addon("nginx", "Nginx Ingress", "ingress", "The ingress-nginx controller.", [
    { v: "1.10.1", fips: true },
    { v: "1.11.3", fips: true },
  ]),
  addon("traefik", "Traefik", "ingress", "Cloud-native ingress and edge router.", [{ v: "32.1.0" }], {
    source: "community",
  }),
  addon(
    "aws-load-balancer-controller",
    "AWS Load Balancer Controller",
    "load balancer",
    "Provisions ALBs and NLBs for Services and Ingresses.",
    [{ v: "1.9.2" }],
    {
      cloudTypes: ["aws"],
      useCases: ["controller", "addon"],
    },
  ),
  addon(
    "metallb",
    "MetalLB",
    "load balancer",
    "LoadBalancer Services on bare metal and edge (L2/BGP).",
    [{ v: "0.14.5" }, { v: "0.14.8", fips: true }],
    {
      cloudTypes: ["vsphere", "maas", "openstack", "edge-native"],
    },
  ),
  addon("kube-vip", "kube-vip", "load balancer", "Virtual IP for the control plane and Services.", [{ v: "0.8.4" }], {
    source: "community",
    cloudTypes: ["edge-native", "vsphere"],
  }),
  addon("cert-manager", "Cert Manager", "security", "X.509 certificates from ACME, Vault and private CAs.", [
    { v: "1.14.5", fips: true },
    { v: "1.16.1", fips: true, deps: k8sAtLeast("1.25.0") },
  ]),
  addon("vault", "Vault", "security", "HashiCorp Vault for secrets management.", [{ v: "0.28.1", fips: true }], {
    architectures: amd64,
  }),
  addon("falco", "Falco", "security", "Runtime threat detection with eBPF.", [{ v: "4.8.3" }], {
    source: "community",
    architectures: amd64,
  }),
  addon("kyverno", "Kyverno", "security", "Kubernetes-native policy engine.", [
    { v: "3.2.7", eol: "2025-04-30" },
    { v: "3.3.3", deps: k8sAtLeast("1.28.0") },
  ]),
  addon("opa-gatekeeper", "OPA Gatekeeper", "security", "Open Policy Agent admission control.", [{ v: "3.17.1" }]),
  addon(
    "trivy-operator",
    "Trivy Operator",
    "security",
    "Continuous vulnerability and misconfiguration scanning.",
    [{ v: "0.24.1" }],
    { source: "community" },
  ),
  addon(
    "istio",
    "Istio",
    "servicemesh",
    "Service mesh: mTLS, traffic management, telemetry.",
    // Ambient mode's CNI plugin chains onto the cluster CNI; Flannel's VXLAN setup breaks it.
    [
      { v: "1.22.5", deps: k8sAtLeast("1.27.0") },
      { v: "1.23.2", deps: [...k8sAtLeast("1.28.0"), { packName: "cni-flannel", layer: "cni", type: "notSupported" }] },
    ],
    { architectures: amd64 },
  ),
  addon("linkerd", "Linkerd", "servicemesh", "Lightweight service mesh.", [{ v: "2.14.10" }], { source: "community" }),
  addon("harbor", "Harbor", "registry", "OCI registry with scanning and replication.", [{ v: "1.15.1" }], {
    architectures: amd64,
  }),
  addon(
    "zot-registry",
    "Zot Registry",
    "registry",
    "Minimal OCI registry, well suited to edge sites.",
    [{ v: "2.1.1" }],
    { cloudTypes: ["edge-native"], useCases: ["agent", "addon"] },
  ),
  addon("fluentbit", "Fluent Bit", "logging", "Log processor and forwarder.", [{ v: "3.1.9", fips: true }]),
  addon("loki", "Loki", "logging", "Log aggregation by Grafana Labs.", [{ v: "6.16.0" }], { source: "community" }),
  addon(
    "elastic-fluentd-kibana",
    "Elasticsearch Fluentd Kibana",
    "logging",
    "The EFK logging stack.",
    [{ v: "8.5.1", eol: "2025-09-30", until: "4.6.12" }],
    { architectures: amd64 },
  ),
  addon("argo-cd", "Argo CD", "system app", "GitOps continuous delivery.", [{ v: "7.6.8" }]),
  addon("velero", "Velero", "system app", "Backup and restore of cluster resources and volumes.", [
    { v: "7.2.1", fips: true },
  ]),
  addon("external-dns", "ExternalDNS", "ingress", "DNS records for Services and Ingresses.", [{ v: "1.15.0" }]),
  addon("dex", "Dex", "authentication", "OIDC identity broker.", [{ v: "0.19.1" }]),
  addon("keycloak", "Keycloak", "authentication", "Identity and access management.", [{ v: "24.0.5" }], {
    source: "community",
    architectures: amd64,
  }),
  addon(
    "spectro-vm-dashboard",
    "Virtual Machine Orchestrator",
    "system app",
    "KubeVirt-based virtual machines managed from Palette.",
    [{ v: "4.4.10", since: "4.6.0" }],
    {
      architectures: amd64,
      useCases: ["controller", "addon"],
    },
  ),
];

/** The demo product versions, for product-range bounds of `since`/`until`. */
const ALL_PRODUCTS = DEMO_PRODUCTS.map((p) => p.id);

/** Expands the compact table into one pack.json per version, as the packs registry would write it. */
export function demoPackManifests(): PackManifest[] {
  return DEMO_PACKS.flatMap(({ versions, source, ...pack }) =>
    versions.map((v): PackManifest => {
      const fips = v.fips ?? false;
      // VerteX only ships FIPS builds; Enterprise takes everything.
      const products = ALL_PRODUCTS.filter((id) => fips || id === "palette-enterprise").map((product) => ({
        product,
        ...(v.since ? { minVersion: v.since } : {}),
        ...(v.until ? { maxVersion: v.until } : {}),
      }));
      return {
        ...pack,
        version: v.v,
        ...(v.kernel ? { kernel: v.kernel } : {}),
        ...(v.eol ? { eol: v.eol } : {}),
        annotations: { source: source ?? "spectrocloud" },
        architectures: v.arches ?? pack.architectures,
        fips,
        constraints: { dependencies: v.deps ?? [] },
        products,
      };
    }),
  );
}
