// The served OpenAPI document as a contract: a tour of the JSON API (products, packs, compatible,
// grants, manifests, admin, errors) whose every response validates against it, and the checker itself
// shown to refuse what breaks the contract. (Every other test's /api/v1 responses are checked too, by
// contract-setup.ts.)
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { contractProblems, type OpenApiDocument, servedDocument } from "./support/contract";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH, studio } from "./support/studio";

const json = { "Content-Type": "application/json" };
const admin = { ...ADMIN_AUTH, ...json };

/** Calls the Worker and returns the contract problems of the response (with its status, to be sure). */
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; problems: string[] }> {
  const res = await studio(path, init);
  const contentType = res.headers.get("Content-Type");
  const body = contentType?.startsWith("application/json") ? await res.json() : await res.text();
  const problems = contractProblems(
    await servedDocument(),
    init.method ?? "GET",
    new URL(path, "http://studio.test"),
    res.status,
    contentType,
    body,
  );
  return { status: res.status, problems };
}

let capability: string;
let grantId: string;

beforeAll(async () => {
  await dropRelease(env, "contract-4-6-12", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "ubuntu-aws", version: "22.04", layer: "os" },
      { name: "kubernetes", version: "1.30.4", layer: "k8s" },
      { name: "cni-calico", version: "3.29.1", layer: "cni" },
    ],
    installers: [{ product: "palette-enterprise", productVersion: "4.6.12", kind: "iso" }],
  });
  await syncAndSettle(env);
  const res = await studio("/api/v1/grants", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ packs: [{ name: "kubernetes", version: "1.30.4" }] }),
  });
  expect(res.status).toBe(201);
  const grant = (await res.json()) as { id: string; capability: string };
  ({ capability, id: grantId } = grant);
});

describe("every response of an API tour validates against the served document", () => {
  const tour: [string, () => [string, RequestInit?], number][] = [
    ["products", () => ["/api/v1/products"], 200],
    ["installers", () => ["/api/v1/products/palette-enterprise/versions/4.6.12/artifacts"], 200],
    ["pack search", () => ["/api/v1/packs?cloud=aws&limit=2"], 200],
    ["pack", () => ["/api/v1/packs/kubernetes"], 200],
    ["pack version", () => ["/api/v1/packs/kubernetes/versions/1.30.4"], 200],
    [
      "compatible",
      () => ["/api/v1/compatible?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&layer=k8s"],
      200,
    ],
    ["openapi", () => ["/api/v1/openapi.json"], 200],
    [
      "grant",
      () => [
        "/api/v1/grants",
        { method: "POST", headers: json, body: JSON.stringify({ packs: [{ name: "cni-calico", version: "3.29.1" }] }) },
      ],
      201,
    ],
    ["grant by capability", () => [`/api/v1/grants/${capability}`], 200],
    ["manifest.json", () => [`/api/v1/grants/${capability}/manifest.json`], 200],
    ["urls.txt", () => [`/api/v1/grants/${capability}/urls.txt`], 200],
    ["admin sync runs", () => ["/api/v1/admin/sync/runs", { headers: admin }], 200],
    ["admin releases", () => ["/api/v1/admin/releases?status=published", { headers: admin }], 200],
    ["admin release", () => ["/api/v1/admin/releases/contract-4-6-12", { headers: admin }], 200],
    ["admin keys", () => ["/api/v1/admin/keys", { headers: admin }], 200],
    ["admin grants", () => ["/api/v1/admin/grants", { headers: admin }], 200],
    ["admin grant", () => [`/api/v1/admin/grants/${grantId}`, { headers: admin }], 200],
    [
      "admin token",
      () => [
        "/api/v1/admin/tokens",
        { method: "POST", headers: admin, body: '{"name":"ci","scopes":["grants:create"]}' },
      ],
      201,
    ],
    ["admin tokens", () => ["/api/v1/admin/tokens", { headers: admin }], 200],
    ["error: invalid filter", () => ["/api/v1/packs?layer=nope"], 400],
    ["error: unknown pack", () => ["/api/v1/packs/nope"], 404],
    ["error: unknown route", () => ["/api/v1/nothing-here"], 404],
    ["error: bad grant body", () => ["/api/v1/grants", { method: "POST", headers: json, body: "{" }], 400],
    ["error: admin without token", () => ["/api/v1/admin/releases"], 401],
    ["error: capability past retention (or never issued)", () => [`/api/v1/grants/${"A".repeat(43)}`], 410],
    ["error: not a capability", () => [`/api/v1/grants/${"A".repeat(22)}`], 404],
  ];
  it.each(tour)("%s", async (_name, request, status) => {
    const [path, init] = request();
    expect(await call(path, init)).toEqual({ status, problems: [] });
  });
});

describe("the contract check refuses what breaks the contract", () => {
  let doc: OpenApiDocument;
  beforeAll(async () => {
    doc = await servedDocument();
  });
  const check = (method: string, path: string, status: number, body: unknown, type = "application/json") =>
    contractProblems(doc, method, new URL(path, "http://studio.test"), status, type, body);

  it("a body that misses a required property or has the wrong type", () => {
    expect(check("GET", "/api/v1/packs", 200, { items: "none" })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^searchPacks \(GET \/api\/v1\/packs\) 200: #\/items /)]),
    );
    expect(check("GET", "/api/v1/packs/x", 404, { error: { message: "no code" } })).not.toEqual([]);
  });

  it("a status or a media type the operation does not document", () => {
    expect(check("GET", "/api/v1/products", 500, { error: { code: "internal", message: "x" } })).toEqual([
      "listProducts (GET /api/v1/products) 500: status not documented",
    ]);
    expect(check("GET", `/api/v1/grants/${"A".repeat(43)}/urls.txt`, 200, "x", "text/html")[0]).toMatch(
      /text\/html is not documented/,
    );
  });

  it("an operation that is not documented, unless it is the JSON 404", () => {
    expect(check("POST", "/api/v1/products", 200, {})).toEqual([
      "POST /api/v1/products (not a documented operation) 200: only a 404 may answer an undocumented operation",
    ]);
    expect(check("GET", "/api/v1/nothing", 404, { error: { code: "not_found", message: "no route" } })).toEqual([]);
  });

  it("a literal path segment wins over a parameter (bundle.tar is not a manifest format)", () => {
    expect(check("GET", `/api/v1/grants/${"A".repeat(43)}/bundle.tar`, 200, "", "application/x-tar")).toEqual([]);
  });
});
