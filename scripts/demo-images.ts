// The container images the demo packs declare (pack.json content.images), so the catalog can list
// them, export images.txt and answer "which pack versions ship image X?". Repositories and tags are
// the real upstream ones for each pack; the digests are derived from the reference (sha256 of it),
// since the demo is built offline and cannot ask the registries. They have the real form and are
// stable across runs, so searches and links in the demo keep working.
import { createHash } from "node:crypto";
import type { PackManifest } from "../worker/sync/release-manifest";

/** pack name → images, each `repository:tag` with `{v}` for the pack version (without a leading v). */
const IMAGES: Record<string, string[]> = {
  "cni-calico": [
    "docker.io/calico/node:v{v}",
    "docker.io/calico/cni:v{v}",
    "docker.io/calico/kube-controllers:v{v}",
    "docker.io/calico/typha:v{v}",
  ],
  "cni-cilium": [
    "quay.io/cilium/cilium:v{v}",
    "quay.io/cilium/operator-generic:v{v}",
    "quay.io/cilium/hubble-relay:v{v}",
  ],
  "cni-flannel": ["docker.io/flannel/flannel:v{v}", "docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2"],
  "cni-antrea": ["docker.io/antrea/antrea-agent-ubuntu:v{v}", "docker.io/antrea/antrea-controller-ubuntu:v{v}"],
  "cni-aws-vpc-eks": ["602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v{v}"],
  kubernetes: [
    "registry.k8s.io/kube-apiserver:v{v}",
    "registry.k8s.io/kube-controller-manager:v{v}",
    "registry.k8s.io/kube-scheduler:v{v}",
    "registry.k8s.io/kube-proxy:v{v}",
    "registry.k8s.io/pause:3.10",
    "registry.k8s.io/coredns/coredns:v1.11.3",
    "registry.k8s.io/etcd:3.5.15-0",
  ],
  "kubernetes-rke2": ["docker.io/rancher/rke2-runtime:v{v}-rke2r1", "registry.k8s.io/pause:3.10"],
  "edge-k3s": ["docker.io/rancher/k3s:v{v}-k3s1", "registry.k8s.io/pause:3.10"],
  "csi-aws-ebs": [
    "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v{v}",
    "public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.1.0-eks-1-31-5",
  ],
  "csi-aws-efs": ["public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v{v}"],
  "csi-vsphere-csi": [
    "registry.k8s.io/csi-vsphere/driver:v{v}",
    "registry.k8s.io/csi-vsphere/syncer:v{v}",
    "registry.k8s.io/sig-storage/csi-provisioner:v5.1.0",
  ],
  "csi-longhorn": ["docker.io/longhornio/longhorn-manager:v{v}", "docker.io/longhornio/longhorn-engine:v{v}"],
  "csi-rook-ceph": ["docker.io/rook/ceph:v{v}", "quay.io/ceph/ceph:v18.2.4"],
  "csi-local-path-provisioner": ["docker.io/rancher/local-path-provisioner:v{v}"],
  "csi-nfs-subdir-external": ["registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v{v}"],
  "csi-openstack-cinder": ["registry.k8s.io/provider-os/cinder-csi-plugin:v{v}"],
  "csi-topolvm": ["ghcr.io/topolvm/topolvm-with-sidecar:{v}"],
  "prometheus-operator": [
    "quay.io/prometheus-operator/prometheus-operator:v0.76.0",
    "quay.io/prometheus/prometheus:v2.54.1",
    "quay.io/prometheus/alertmanager:v0.27.0",
  ],
  "cert-manager": [
    "quay.io/jetstack/cert-manager-controller:v{v}",
    "quay.io/jetstack/cert-manager-webhook:v{v}",
    "quay.io/jetstack/cert-manager-cainjector:v{v}",
  ],
  "argo-cd": [
    "quay.io/argoproj/argocd:v{v}",
    "ghcr.io/dexidp/dex:v2.41.1",
    "public.ecr.aws/docker/library/redis:7.2.5-alpine",
  ],
  "aws-load-balancer-controller": ["public.ecr.aws/eks/aws-load-balancer-controller:v{v}"],
  nginx: ["registry.k8s.io/ingress-nginx/controller:v{v}"],
  istio: ["docker.io/istio/pilot:{v}", "docker.io/istio/proxyv2:{v}"],
  "external-dns": ["registry.k8s.io/external-dns/external-dns:v{v}"],
  harbor: ["docker.io/goharbor/harbor-core:v{v}", "docker.io/goharbor/registry-photon:v{v}"],
  vault: ["docker.io/hashicorp/vault:{v}"],
  kyverno: ["ghcr.io/kyverno/kyverno:v{v}"],
  falco: ["docker.io/falcosecurity/falco:{v}"],
};

const digestOf = (reference: string) => `sha256:${createHash("sha256").update(reference).digest("hex")}`;

/** The images a demo pack version ships, pinned by digest (none for OS images and packs not listed). */
export function demoImages(pack: Pick<PackManifest, "name" | "version">): { image: string }[] {
  const version = pack.version.replace(/^v/, "");
  return (IMAGES[pack.name] ?? []).map((template) => {
    const reference = template.replace("{v}", version);
    return { image: `${reference}@${digestOf(reference)}` };
  });
}

/** The pack with content.images added, as the packs registry's pack.json carries them. */
export function withDemoImages<T extends PackManifest>(pack: T): T {
  const images = demoImages(pack);
  return images.length ? { ...pack, content: { images } } : pack;
}
