// The demo packs declare realistic container images (scripts/demo-images.ts), signed in their
// release manifests: the pack API lists them, /api/v1/images and the /images page answer "which
// pack versions ship this image?", and a grant exports images.txt for skopeo or crane.
import { describe, expect, inject, it } from "vitest";

const studioUrl = inject("studioUrl");

describe("images in the demo catalog", () => {
  it("lists Calico's images on the pack API, pinned by digest", async () => {
    const pack = (await (await fetch(`${studioUrl}/api/v1/packs/cni-calico`)).json()) as {
      versions: { version: string; images: { repository: string; tag: string; digest: string }[] }[];
    };
    const [newest] = pack.versions;
    expect(newest.images.map((i) => i.repository)).toContain("docker.io/calico/node");
    expect(newest.images.find((i) => i.repository === "docker.io/calico/node")?.tag).toBe(`v${newest.version}`);
    for (const i of newest.images) expect(i.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("answers which pack versions ship registry.k8s.io/pause, as JSON and as a page", async () => {
    const res = (await (await fetch(`${studioUrl}/api/v1/images?repository=registry.k8s.io/pause`)).json()) as {
      packVersions: { pack: string }[];
    };
    expect(new Set(res.packVersions.map((h) => h.pack))).toContain("kubernetes");
    const page = await (await fetch(`${studioUrl}/images?q=registry.k8s.io%2Fpause`)).text();
    expect(page).toMatch(/\d+ pack versions ship repository registry\.k8s\.io\/pause/);
  });

  it("exports a grant's images as images.txt", async () => {
    const pack = (await (await fetch(`${studioUrl}/api/v1/packs/cni-calico`)).json()) as {
      versions: { version: string }[];
    };
    const res = await fetch(`${studioUrl}/api/v1/grants`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ packs: [{ name: "cni-calico", version: pack.versions[0].version }] }),
    });
    const grant = (await res.json()) as { links: Record<string, string> };
    const lines = (await (await fetch(grant.links["images.txt"])).text()).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9./-]+@sha256:[0-9a-f]{64}$/);
  });
});
