// Compares two running studios request by request, byte for byte: the same fixed list of pages, JSON
// operations, files and errors (every resource) is sent to both, and any difference in status, the
// headers a client relies on, or the body is printed. Meant for a refactor that must not change
// behaviour: start the studio before and after it on the same state (`npm start -- --port ...
// --persist-to <copy>`), then
//
//   tsx scripts/compare-responses.ts --a http://127.0.0.1:8787 --b http://127.0.0.1:8788 --token <ADMIN_TOKEN>
//
// Only what differs by design between two runs is normalised: request ids, signed URL expiry,
// key and signature, times, and the ids of grants and tokens each studio issues. Exits 1 on a difference.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string" },
    token: { type: "string" },
    verbose: { type: "boolean", default: false },
  },
});
if (!values.a || !values.b || !values.token) {
  console.error("usage: tsx scripts/compare-responses.ts --a <url> --b <url> --token <ADMIN_TOKEN>");
  process.exit(2);
}
const ADMIN = { Authorization: `Bearer ${values.token}` };
const JSON_TYPE = { "Content-Type": "application/json" };
const HTML = { Accept: "text/html,application/xhtml+xml" };

type Probe = { name?: string; method?: string; path: string; headers?: Record<string, string>; body?: string };

/** The headers a client acts on (Date and the like differ on every answer and say nothing). */
const COMPARED_HEADERS = [
  "content-type",
  "content-length",
  "content-disposition",
  "cache-control",
  "location",
  "etag",
  "www-authenticate",
  "retry-after",
  "link",
  "x-grant-id",
  "x-catalog-generation",
  "x-yanked",
  "x-key-id",
  "x-key-status",
  "x-d1-rows-read",
  "x-catalog-cache",
  "content-security-policy",
  "accept-ranges",
  "content-range",
];

/** One studio's answers so far, with the ids it issued (replaced by names before comparing). */
class Side {
  readonly ids = new Map<string, string>();
  constructor(readonly origin: string) {}

  async send(probe: Probe) {
    const res = await fetch(new URL(probe.path, this.origin), {
      method: probe.method ?? "GET",
      headers: probe.headers,
      body: probe.body,
      redirect: "manual",
    });
    const body = new Uint8Array(await res.arrayBuffer());
    const requestId = res.headers.get("x-request-id");
    if (requestId) this.ids.set(requestId, "<request-id>");
    const headers = COMPARED_HEADERS.flatMap((h) => (res.headers.has(h) ? [`${h}: ${res.headers.get(h)}`] : []));
    return { status: res.status, headers: headers.map((h) => this.normalise(h)), body, text: this.normaliseBody(body) };
  }

  /** Remembers an id this studio issued, so both sides' ids compare equal under one name. */
  learn(id: string | undefined, name: string) {
    if (id) this.ids.set(id, name);
  }

  normalise(text: string): string {
    let out = text.replaceAll(this.origin, "<origin>");
    for (const [id, name] of this.ids) out = out.replaceAll(id, name);
    return out
      .replace(/([?&;](?:exp|sig|kid|X-Amz-[A-Za-z-]+)=)[^&"'\s<>\\]*/g, "$1<signed>")
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
      .replace(/\b1[6-9]\d{11}\b/g, "<ms>")
      .replace(/W\/"catalog-(\d+)[^"]*"/g, 'W/"catalog-$1"')
      .replace(/request id [0-9a-f-]{36}/g, "request id <request-id>");
  }

  normaliseBody(body: Uint8Array): string | undefined {
    if (isTar(body)) return tarEntries(body, (text) => this.normalise(text));
    const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
    // Other binary bodies (a part of a tar) compare as bytes.
    return text.includes("\u0000") ? undefined : this.normalise(text);
  }
}

const isTar = (body: Uint8Array) =>
  body.byteLength >= 512 && new TextDecoder().decode(body.subarray(257, 262)) === "ustar";

/**
 * A ustar archive as its entries (name, mode, size, content), each normalised like any other body: a
 * grant's tar names its folder after the grant and carries its signed manifests, so only the bytes
 * of the headers (mtime, checksum) and those ids may differ.
 */
function tarEntries(body: Uint8Array, normalise: (text: string) => string): string {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const field = (header: Uint8Array, at: number, length: number) =>
    decoder.decode(header.subarray(at, at + length)).replace(/\0.*$/s, "");
  const out: string[] = [];
  for (let at = 0; at + 512 <= body.byteLength; ) {
    const header = body.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = field(header, 345, 155)
      ? `${field(header, 345, 155)}/${field(header, 0, 100)}`
      : field(header, 0, 100);
    const size = Number.parseInt(field(header, 124, 12).trim() || "0", 8);
    const content = body.subarray(at + 512, at + 512 + size);
    const text = decoder.decode(content);
    const shown = text.includes("\u0000") ? `<${size} bytes, sha ${hashOf(content)}>` : text;
    out.push(`== ${normalise(name)} mode ${field(header, 100, 8)} size ${size}\n${normalise(shown)}`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out.join("\n");
}

const hashOf = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function discover(origin: string) {
  const products = (await (await fetch(`${origin}/api/v1/products`)).json()) as {
    items: { id: string; versions: { version: string }[] }[];
  };
  const packs = (await (await fetch(`${origin}/api/v1/packs?limit=100`)).json()) as {
    items: { name: string; layer: string; versions: { version: string }[] }[];
  };
  const product = products.items[0];
  const version = product.versions[0].version;
  const pack = packs.items[0];
  const cni = packs.items.find((p) => p.layer === "cni") ?? pack;
  const keyId = (await fetch(`${origin}/spectro_public_key.pem`)).headers.get("x-key-id") ?? "none";
  return { product: product.id, version, pack: pack.name, packVersion: pack.versions[0].version, cni, keyId };
}

function probes(d: Awaited<ReturnType<typeof discover>>): Probe[] {
  const state = `product=${d.product}&version=${d.version}&useCase=controller&cloud=aws`;
  const ref = `${d.pack}@${d.packVersion}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = JSON_TYPE): Probe => ({
    method: "POST",
    path,
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return [
    // Pages (HTML), their redirects and errors.
    { path: "/", headers: HTML },
    { path: `/install/${d.product}?version=${d.version}`, headers: HTML },
    { path: `/install/${d.product}?version=not-a-version`, headers: HTML },
    { path: "/install/no-such-product", headers: HTML },
    { path: "/verify", headers: HTML },
    { path: "/verify-bundle.sh" },
    { path: "/verify-signatures.sh" },
    { path: "/bundle", headers: HTML },
    { path: "/bundle/product", headers: HTML },
    { path: `/bundle/version?product=${d.product}`, headers: HTML },
    { path: `/bundle/use-case?product=${d.product}&version=${d.version}`, headers: HTML },
    { path: `/bundle/layers/os?${state}`, headers: HTML },
    { path: `/bundle/layers/nope?${state}`, headers: HTML },
    { path: `/bundle/review?${state}&packs=${ref}`, headers: HTML },
    { path: `/bundle/confirm?${state}&packs=${ref}`, headers: HTML },
    { path: `/bundle/next?from=product&go=next&product=${d.product}`, headers: HTML },
    { path: `/bundle/spec.json?${state}&packs=${ref}` },
    { path: "/packs", headers: HTML },
    { path: "/packs?layer=cni&arch=amd64", headers: HTML },
    { path: "/packs?layer=nope", headers: HTML },
    { path: `/packs/${d.pack}`, headers: HTML },
    { path: `/packs/${d.pack}?version=0.0.0-none`, headers: HTML },
    { path: "/packs/no-such-pack", headers: HTML },
    { path: "/upgrade", headers: HTML },
    { path: `/upgrade?${state}`, headers: HTML },
    { path: `/upgrade?link=${encodeURIComponent(`/bundle/confirm?${state}`)}`, headers: HTML },
    { path: "/images", headers: HTML },
    { path: "/images?q=nginx", headers: HTML },
    { path: "/images?q=%20%20:bad", headers: HTML },
    { path: `/download?packs=${ref}`, headers: HTML },
    { path: `/download?installers=${d.product}@${d.version}`, headers: HTML },
    { path: "/download?packs=bad", headers: HTML },
    { path: "/no-such-page", headers: HTML },
    post("/packs", "selected=&shown=", { "Content-Type": "application/x-www-form-urlencoded", ...HTML }),
    // Keys and signed downloads.
    { path: "/spectro_public_key.pem" },
    { path: `/keys/${d.keyId}.pem` },
    { path: "/keys/no-such-key.pem" },
    { path: "/dl/AAAAAAAAAAAAAAAAAAAAAA/x.zst?exp=1&kid=k&sig=s" },
    { path: "/dl/AAAAAAAAAAAAAAAAAAAAAA/x.zst" },
    // The catalog API.
    { path: "/api/v1/products" },
    { path: `/api/v1/products/${d.product}/versions/${d.version}/artifacts` },
    { path: `/api/v1/products/${d.product}/versions/0.0.1/artifacts` },
    { path: `/api/v1/products/BAD/versions/x/artifacts` },
    { path: "/api/v1/packs" },
    { path: "/api/v1/packs?layer=cni&limit=2" },
    { path: "/api/v1/packs?layer=nope" },
    { path: "/api/v1/packs?limit=0&version=1.0" },
    { path: "/api/v1/packs?q=kube&fips=true" },
    { path: `/api/v1/packs/${d.pack}` },
    { path: `/api/v1/packs/${d.pack}/versions/${d.packVersion}` },
    { path: `/api/v1/packs/${d.pack}/versions/9.9.9` },
    { path: "/api/v1/packs/no-such-pack" },
    { path: "/api/v1/packs/BAD NAME" },
    { path: `/api/v1/compatible?product=${d.product}&version=${d.version}&useCase=controller&layer=os&cloud=aws` },
    { path: `/api/v1/compatible?product=${d.product}&version=${d.version}&useCase=controller&layer=cni&cloud=aws` },
    { path: "/api/v1/compatible" },
    { path: `/api/v1/compatible?product=${d.product}&version=${d.version}&useCase=nope&layer=os` },
    { path: "/api/v1/changes?since=0" },
    { path: "/api/v1/changes?since=0&layer=cni" },
    { path: "/api/v1/changes" },
    { path: "/api/v1/changes?since=-1" },
    { path: "/api/v1/changes/mirror.sh?layer=cni" },
    { path: "/api/v1/images?q=nginx" },
    { path: "/api/v1/images?repository=docker.io/library/nginx" },
    { path: "/api/v1/images" },
    { path: "/api/v1/images?q=%20:" },
    post("/api/v1/upgrade-plans", {
      current: { product: d.product, version: d.version, useCase: "controller", cloud: "aws", packs: [] },
      targetVersion: d.version,
    }),
    post("/api/v1/upgrade-plans", { current: {} }),
    post("/api/v1/upgrade-plans", "{not json"),
    post("/api/v1/upgrade-plans", "current=1", { "Content-Type": "application/x-www-form-urlencoded" }),
    { method: "GET", path: "/api/v1/upgrade-plans" },
    // Grants: refused and issued, then everything the grant opens.
    post("/api/v1/grants", {}),
    post("/api/v1/grants", { packs: [{ name: "no-such-pack", version: "1.0.0" }] }),
    post("/api/v1/grants", '{"packs":', JSON_TYPE),
    post("/api/v1/grants", "packs=1", { "Content-Type": "text/plain" }),
    { name: "grant", ...post("/api/v1/grants", { packs: [{ name: d.pack, version: d.packVersion }] }) },
    { path: "/api/v1/grants/<capability>" },
    { path: "/api/v1/grants/<capability>/urls.txt" },
    { path: "/api/v1/grants/<capability>/bundle.curl" },
    { path: "/api/v1/grants/<capability>/manifest.json" },
    { path: "/api/v1/grants/<capability>/SHA256SUMS" },
    { path: "/api/v1/grants/<capability>/download.sh" },
    { path: "/api/v1/grants/<capability>/images.txt" },
    { path: "/api/v1/grants/<capability>/nope.txt" },
    { path: "/api/v1/grants/<capability>/bundle.tar", method: "HEAD" },
    { path: "/api/v1/grants/<capability>/bundle.tar" },
    { path: "/api/v1/grants/<capability>/urls.txt?parts=dvd" },
    { path: "/api/v1/grants/<capability>/PARTS.SHA256SUMS?size=100MiB" },
    { path: "/api/v1/grants/<capability>/PARTS.SHA256SUMS?size=1" },
    { path: "/api/v1/grants/<capability>/bundle.tar.part-001?size=dvd", method: "HEAD" },
    { path: "/api/v1/grants/<capability>/bundle.tar.part-009?size=dvd" },
    { path: "/api/v1/grants/not-a-capability" },
    { path: "/api/v1/grants/<grant-id>" },
    // Automation manifests.
    { path: `/api/v1/manifests/installers/${d.product}/${d.version}/urls.txt` },
    { path: `/api/v1/manifests/installers/${d.product}/${d.version}/urls.txt`, headers: { Authorization: "Bearer x" } },
    post("/api/v1/manifests/packs/urls.txt", { packs: [] }, { ...JSON_TYPE, Authorization: "Bearer x" }),
    // Admin.
    { path: "/api/v1/admin/keys" },
    { path: "/api/v1/admin/keys", headers: { Authorization: "Bearer wrong" } },
    { path: "/api/v1/admin/keys", headers: ADMIN },
    { path: `/api/v1/admin/keys/${d.keyId}/published`, headers: ADMIN },
    { path: "/api/v1/admin/keys/bad key!/published", headers: ADMIN },
    { path: "/api/v1/admin/audit?limit=5", headers: ADMIN },
    { path: "/api/v1/admin/audit?limit=500", headers: ADMIN },
    { path: "/api/v1/admin/releases?limit=3", headers: ADMIN },
    { path: "/api/v1/admin/releases?status=nope", headers: ADMIN },
    { path: "/api/v1/admin/releases?cursor=nope", headers: ADMIN },
    { path: "/api/v1/admin/releases/no-such-release", headers: ADMIN },
    { path: "/api/v1/admin/tokens", headers: ADMIN },
    post("/api/v1/admin/tokens", { name: "" }, { ...JSON_TYPE, ...ADMIN }),
    { method: "DELETE", path: "/api/v1/admin/tokens/not-a-uuid", headers: ADMIN },
    { method: "DELETE", path: "/api/v1/admin/tokens/00000000-0000-4000-8000-000000000000", headers: ADMIN },
    { path: "/api/v1/admin/grants?limit=1", headers: ADMIN },
    { path: "/api/v1/admin/grants?limit=x", headers: ADMIN },
    { path: "/api/v1/admin/grants/<grant-id>", headers: ADMIN },
    { path: "/api/v1/admin/grants/bad", headers: ADMIN },
    post("/api/v1/admin/packs/no-such-pack/versions/1.0.0/yank", { reason: "test" }, { ...JSON_TYPE, ...ADMIN }),
    post(`/api/v1/admin/packs/${d.pack}/versions/${d.packVersion}/yank`, {}, { ...JSON_TYPE, ...ADMIN }),
    post("/api/v1/admin/releases/no-such-release/abandon", { reason: "x" }, { ...JSON_TYPE, ...ADMIN }),
    post("/api/v1/admin/releases/no-such-release/retry", {}, { ...JSON_TYPE, ...ADMIN }),
    post(`/api/v1/admin/keys/no-such-key/yank`, { reason: "x" }, { ...JSON_TYPE, ...ADMIN }),
    post("/api/v1/admin/catalog/recount", { reason: "" }, { ...JSON_TYPE, ...ADMIN }),
    // The publish API.
    { path: "/api/v1/publish/config" },
    post("/api/v1/publish/plan", { releaseId: "" }),
    post("/api/v1/publish/plan", "x", { "Content-Type": "text/plain" }),
    { path: "/api/v1/publish/releases/some-release" },
    { path: "/api/v1/admin/publisher-tokens", headers: ADMIN },
    { path: "/api/v1/no-such-route" },
    { method: "PUT", path: "/api/v1/packs" },
  ];
}

const fill = (path: string, side: Side) => {
  let out = path;
  for (const [id, name] of side.ids)
    if (name.startsWith("<") && name !== "<request-id>") out = out.replaceAll(name, id);
  return out;
};

const a = new Side(values.a.replace(/\/$/, ""));
const b = new Side(values.b.replace(/\/$/, ""));
const list = probes(await discover(a.origin));
let same = 0;
const differing: string[] = [];
for (const probe of list) {
  const label = `${probe.method ?? "GET"} ${probe.path}`;
  const [ra, rb] = [
    await a.send({ ...probe, path: fill(probe.path, a) }),
    await b.send({ ...probe, path: fill(probe.path, b) }),
  ];
  if (probe.name === "grant") {
    for (const [side, res] of [
      [a, ra],
      [b, rb],
    ] as const) {
      const view = JSON.parse(new TextDecoder().decode(res.body)) as { id?: string; capability?: string };
      side.learn(view.capability, "<capability>");
      side.learn(view.id, "<grant-id>");
      // Re-normalise the grant's own answer now that its ids are known.
      res.text = side.normaliseBody(res.body);
      res.headers = res.headers.map((h) => side.normalise(h));
    }
  }
  const problems: string[] = [];
  if (ra.status !== rb.status) problems.push(`status ${ra.status} vs ${rb.status}`);
  const ha = ra.headers.join("\n");
  const hb = rb.headers.join("\n");
  if (ha !== hb)
    problems.push(`headers:\n  a: ${ha.replaceAll("\n", "\n     ")}\n  b: ${hb.replaceAll("\n", "\n     ")}`);
  const bodiesEqual =
    ra.text === undefined || rb.text === undefined
      ? Buffer.compare(Buffer.from(ra.body), Buffer.from(rb.body)) === 0
      : ra.text === rb.text;
  if (!bodiesEqual) problems.push(`body:\n  a: ${ra.text?.slice(0, 600)}\n  b: ${rb.text?.slice(0, 600)}`);
  if (problems.length) {
    differing.push(label);
    console.log(`DIFF ${label} (${ra.status})\n  ${problems.join("\n  ")}`);
  } else {
    same++;
    if (values.verbose) console.log(`same ${label} (${ra.status}, ${ra.body.byteLength} bytes)`);
  }
}
console.log(`\n${same} of ${list.length} requests answered the same on both studios; ${differing.length} differ`);
console.log(JSON.stringify({ requests: list.length, same, differing }));
process.exit(differing.length ? 1 : 0);
