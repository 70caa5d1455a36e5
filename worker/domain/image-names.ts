// Container image names as docker, podman and containerd read them, so a search or a script finds
// what people type and what registries store: `nginx` is docker.io/library/nginx.

/**
 * A repository as container tools name it in full: no registry host means Docker Hub, a Docker Hub
 * name without a namespace is an official image under library/, and index.docker.io is docker.io.
 * A first component is a host when it has a dot or a port, or is localhost (the distribution rule).
 */
export function normalizeRepository(name: string): string {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = hasHost ? first : "docker.io";
  const path = hasHost ? name.slice(slash + 1) : name;
  const hub = host === "docker.io" || host === "index.docker.io" || host === "registry-1.docker.io";
  if (!hub) return `${host}/${path}`;
  return path.includes("/") ? `docker.io/${path}` : `docker.io/library/${path}`;
}
