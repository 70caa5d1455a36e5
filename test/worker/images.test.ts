// The images inside each pack: declared in the signed release manifest (content.images, strictly
// validated), listed on the pack API and page, exported per grant as images.txt, and found by
// repository, tag or digest through an index ("which pack versions ship image X?").
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { normalizeRepository, parseImageQuery } from "../../worker/catalog/image-query";
import { findImages } from "../../worker/db/image-index";
import { syncAndSettle } from "./support/sync";
import type { ReleaseManifest } from "../../worker/sync/release-manifest";
import { dropRelease, PALETTE_ENTERPRISE, releaseRow } from "./support/releases";
import { studio } from "./support/studio";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const NODE_V1 = `docker.io/calico/node:v3.29.1@${d("a")}`;
const NODE_V2 = `docker.io/calico/node:v3.29.2@${d("b")}`;
const SHARED = `registry.k8s.io/pause:3.10@${d("c")}`; // shipped by two packs
const CILIUM = `quay.io/cilium/cilium:v1.16.3@${d("e")}`;
const NGINX = `nginx:1.27@${d("1")}`;
const OPERATOR = `tigera/operator:v1.36.2@${d("2")}`;
const REDIS = `index.docker.io/bitnami/redis:7.4@${d("3")}`;
const LOCAL = `localhost:5000/tools/probe@${d("4")}`;

/** Puts content.images into the honest manifest before it is signed. */
const withImages = (images: Record<string, string[]>) => (m: ReleaseManifest) => ({
  ...m,
  files: m.files.map((f) =>
    f.kind === "pack" && images[`${f.pack.name}@${f.pack.version}`]
      ? {
          ...f,
          pack: {
            ...f.pack,
            content: { images: images[`${f.pack.name}@${f.pack.version}`].map((image) => ({ image })) },
          },
        }
      : f,
  ),
});

type Hits = { packVersions: { pack: string; version: string; reference: string; yanked: boolean }[] };
const search = async (query: string) =>
  ((await (await studio(`/api/v1/images?${query}`)).json()) as Hits).packVersions.map((h) => `${h.pack}@${h.version}`);

beforeAll(async () => {
  await dropRelease(env, "images-1", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.1", layer: "cni" },
      { name: "cni-calico", version: "3.29.2", layer: "cni" },
      { name: "cni-cilium", version: "1.16.3", layer: "cni" },
    ],
    releaseJson: withImages({
      "cni-calico@3.29.1": [NODE_V1, SHARED],
      "cni-calico@3.29.2": [NODE_V2],
      "cni-cilium@1.16.3": [CILIUM, SHARED],
    }),
  });
  // Short names as pack.json files often write them: stored in full, as container tools read them.
  await dropRelease(env, "images-short", {
    packs: [{ name: "addon-nginx", version: "1.27.0", layer: "addon" }],
    releaseJson: withImages({ "addon-nginx@1.27.0": [NGINX, OPERATOR, REDIS, LOCAL] }),
  });
  await syncAndSettle(env);
});

describe("images declared by pack versions", () => {
  it("lists a version's images on the pack API, parsed into repository, tag and digest", async () => {
    const res = await studio("/api/v1/packs/cni-calico/versions/3.29.1");
    const body = (await res.json()) as { images: unknown[] };
    expect(body.images).toEqual([
      { reference: NODE_V1, repository: "docker.io/calico/node", tag: "v3.29.1", digest: d("a") },
      { reference: SHARED, repository: "registry.k8s.io/pause", tag: "3.10", digest: d("c") },
    ]);
    const pack = (await (await studio("/api/v1/packs/cni-calico")).json()) as { versions: { images: unknown[] }[] };
    expect(pack.versions.map((v) => v.images.length)).toEqual([1, 2]);
  });

  it("finds the pack versions shipping an image by repository, tag, digest or a full reference", async () => {
    expect(await search("repository=docker.io/calico/node")).toEqual(["cni-calico@3.29.1", "cni-calico@3.29.2"]);
    expect(await search("repository=docker.io/calico/node&tag=v3.29.2")).toEqual(["cni-calico@3.29.2"]);
    expect(await search("tag=3.10")).toEqual(["cni-calico@3.29.1", "cni-cilium@1.16.3"]);
    expect(await search(`digest=${d("c")}`)).toEqual(["cni-calico@3.29.1", "cni-cilium@1.16.3"]);
    expect(await search(`q=${encodeURIComponent(CILIUM)}`)).toEqual(["cni-cilium@1.16.3"]);
    expect(await search(`q=${"e".repeat(64)}`)).toEqual(["cni-cilium@1.16.3"]);
    expect(await search("q=docker.io/calico/node:v3.29.1")).toEqual(["cni-calico@3.29.1"]);
  });

  it("reads names the way container tools do: Docker Hub by default, library/ for official images, tags and digests kept", () => {
    expect(normalizeRepository("nginx")).toBe("docker.io/library/nginx");
    expect(normalizeRepository("calico/node")).toBe("docker.io/calico/node");
    expect(normalizeRepository("index.docker.io/calico/node")).toBe("docker.io/calico/node");
    expect(normalizeRepository("docker.io/nginx")).toBe("docker.io/library/nginx");
    expect(normalizeRepository("quay.io/cilium/cilium")).toBe("quay.io/cilium/cilium");
    expect(normalizeRepository("localhost/app")).toBe("localhost/app");
    expect(normalizeRepository("registry.local:5000/app")).toBe("registry.local:5000/app");
    expect(parseImageQuery("nginx:1.27")).toEqual({ repository: "docker.io/library/nginx", tag: "1.27" });
    expect(parseImageQuery(`calico/node:v3.29.1@${d("a")}`)).toEqual({
      repository: "docker.io/calico/node",
      tag: "v3.29.1",
      digest: d("a"),
    });
  });

  it("finds what people type: calico/node, calico (a Docker Hub namespace) and short names, on the API and the page", async () => {
    expect(await search("q=calico/node")).toEqual(["cni-calico@3.29.1", "cni-calico@3.29.2"]);
    expect(await search("q=calico/node:v3.29.2")).toEqual(["cni-calico@3.29.2"]);
    expect(await search("repository=calico/node&tag=v3.29.1")).toEqual(["cni-calico@3.29.1"]);
    expect(await search("q=calico")).toEqual(["cni-calico@3.29.1", "cni-calico@3.29.2"]);
    // A namespace is the names under it, not every name that starts alike.
    expect(await search("q=calic")).toEqual([]);
    const body = (await (await studio("/api/v1/images?q=calico/node:v3.29.2")).json()) as { query: unknown };
    expect(body.query).toEqual({ repository: "docker.io/calico/node", tag: "v3.29.2" });
    const page = await (await studio("/images?q=calico%2Fnode")).text();
    expect(page).toContain("2 pack versions ship repository docker.io/calico/node");
  });

  it("answers through the repository, tag and digest indexes, never a scan", async () => {
    const plan = async (sql: string, arg: string) =>
      (await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(arg).all<{ detail: string }>()).results
        .map((r) => r.detail)
        .join("\n");
    const base = "SELECT pack_version_id FROM pack_version_images WHERE";
    expect(await plan(`${base} repository = ?`, "x")).toMatch(/USING INDEX images_by_repository/);
    expect(await plan(`${base} repository = ?1 OR (repository >= ?1 AND repository < ?1)`, "x")).toMatch(
      /USING INDEX images_by_repository/,
    );
    expect(await plan(`${base} tag = ?`, "x")).toMatch(/USING INDEX images_by_tag/);
    expect(await plan(`${base} digest = ?`, "x")).toMatch(/USING INDEX images_by_digest/);
    // And the query the API runs finds what the indexes hold.
    expect((await findImages(primary(env), { digest: d("a") })).map((h) => h.version)).toEqual(["3.29.1"]);
  });

  it("refuses a search without a field, or with something that is not a reference, naming the field", async () => {
    for (const [query, field] of [
      ["", "repository"],
      ["q=Not%20An%20Image!", "q"],
      ["digest=sha256:abc", "digest"],
    ]) {
      const res = await studio(`/api/v1/images?${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe(field);
    }
  });

  it("exports a grant's images as images.txt, one repository@digest a line", async () => {
    const res = await studio("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        packs: [
          { name: "cni-calico", version: "3.29.1" },
          { name: "cni-cilium", version: "1.16.3" },
        ],
      }),
    });
    const grant = (await res.json()) as { links: Record<string, string> };
    const txt = await (await exports.default.fetch(grant.links["images.txt"])).text();
    expect(txt).toBe(
      `${[`docker.io/calico/node@${d("a")}`, `quay.io/cilium/cilium@${d("e")}`, `registry.k8s.io/pause@${d("c")}`].join(
        "\n",
      )}\n`,
    );
  });

  it("shows the images on the pack page and answers on /images", async () => {
    const pack = await (await studio("/packs/cni-calico?version=3.29.1")).text();
    expect(pack).toContain("Container images");
    expect(pack).toContain("docker.io/calico/node");
    const answer = await (await studio(`/images?q=${encodeURIComponent("registry.k8s.io/pause")}`)).text();
    expect(answer).toContain("2 pack versions ship repository registry.k8s.io/pause");
    expect(answer).toContain('href="/packs/cni-cilium?version=1.16.3"');
  });

  it("quarantines a release whose image is not pinned by digest, naming the field", async () => {
    await dropRelease(env, "images-bad", {
      packs: [{ name: "addon-nginx", version: "1.11.3", layer: "addon" }],
      releaseJson: withImages({ "addon-nginx@1.11.3": ["docker.io/nginx:latest"] }),
    });
    await syncAndSettle(env);
    const row = await releaseRow(env, "images-bad");
    expect(row?.status).toBe("quarantined");
    expect(row?.reason).toContain(
      "release.json: files.0.pack.content.images.0.image: must be repository[:tag]@sha256:",
    );
  });
});

describe("image names stored as container tools read them", () => {
  it("stores a short name in full, with its tag and digest, and keeps the signed reference as written", async () => {
    const res = await studio("/api/v1/packs/addon-nginx/versions/1.27.0");
    const { images } = (await res.json()) as { images: { reference: string; repository: string; tag: string }[] };
    expect(images).toEqual(
      expect.arrayContaining([
        { reference: NGINX, repository: "docker.io/library/nginx", tag: "1.27", digest: d("1") },
        { reference: OPERATOR, repository: "docker.io/tigera/operator", tag: "v1.36.2", digest: d("2") },
        { reference: REDIS, repository: "docker.io/bitnami/redis", tag: "7.4", digest: d("3") },
        { reference: LOCAL, repository: "localhost:5000/tools/probe", tag: null, digest: d("4") },
      ]),
    );
  });

  it("finds an image stored under a short name by any spelling of it", async () => {
    for (const query of [
      "q=nginx",
      "q=docker.io/library/nginx",
      "repository=docker.io/library/nginx&tag=1.27",
      "q=docker.io/tigera/operator",
      "q=tigera/operator:v1.36.2",
      "q=tigera",
      "q=bitnami/redis",
      "q=docker.io/bitnami/redis",
      "q=localhost:5000/tools/probe",
    ])
      expect(await search(query), query).toContain("addon-nginx@1.27.0");
  });

  it("backfills stored names in migration 0015 exactly as the publish now writes them", async () => {
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0015_"))!.queries.find((q) =>
      q.includes("UPDATE `pack_version_images`"),
    )!;
    const names = [
      "nginx",
      "calico/node",
      "docker.io/nginx",
      "docker.io/calico/node",
      "docker.io/library/nginx",
      "index.docker.io/nginx",
      "registry-1.docker.io/bitnami/redis",
      "registry.k8s.io/pause",
      "quay.io/cilium/cilium",
      "localhost/tools/probe",
      "localhost:5000/probe",
      "ghcr.io/org/team/tool",
      "my-registry:5000/a/b",
    ];
    const rows = names.map((repository, i) => ({ reference: `backfill-${i}`, repository }));
    await env.DB.batch(
      rows.map((r) =>
        env.DB.prepare(
          "INSERT INTO pack_version_images (pack_version_id, reference, repository, tag, digest) VALUES ('addon-nginx@1.27.0', ?, ?, NULL, ?)",
        ).bind(r.reference, r.repository, d("9")),
      ),
    );
    try {
      await env.DB.prepare(backfill).run();
      const { results } = await env.DB.prepare(
        "SELECT reference, repository FROM pack_version_images WHERE reference LIKE 'backfill-%'",
      ).all<{ reference: string; repository: string }>();
      const stored = new Map(results.map((r) => [r.reference, r.repository]));
      for (const r of rows) expect(stored.get(r.reference), r.repository).toBe(normalizeRepository(r.repository));
    } finally {
      await env.DB.prepare("DELETE FROM pack_version_images WHERE reference LIKE 'backfill-%'").run();
    }
  });
});
