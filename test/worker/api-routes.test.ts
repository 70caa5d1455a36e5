// The JSON API as declared with createRoute: every route the app serves under /api/v1 is in the
// document it serves (a route added without its declaration fails here), and invalid input of any
// kind, a body that is not JSON included, is the one 400 naming the field, never a bare 415.
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { documentedPath, type OpenApiDocument, servedDocument } from "./support/contract";
import { studio } from "./support/studio";

let doc: OpenApiDocument;
beforeAll(async () => {
  doc = await servedDocument();
});

/** A concrete path for a Hono route pattern: plain parameters get a value, patterned ones each alternative. */
function samples(pattern: string): string[] {
  let paths = [""];
  for (const segment of pattern.split("/").slice(1)) {
    const regex = segment.match(/^:\w+\{(.+)\}$/)?.[1];
    const values = regex
      ? regex.split("|").map((alt) => alt.replace(/\[0-9\]\+/g, "001").replace(/\\\./g, "."))
      : [segment.startsWith(":") ? "x1" : segment];
    paths = paths.flatMap((p) => values.map((v) => `${p}/${v}`));
  }
  return paths;
}

describe("the document covers the API", () => {
  it("documents every method and path the app routes under /api/v1", () => {
    const served = app.routes.filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL");
    expect(served.length).toBeGreaterThan(40);
    const undocumented = served.flatMap((route) =>
      samples(route.path).flatMap((path) => {
        const template = documentedPath(doc, path);
        const method = route.method === "HEAD" ? "get" : route.method.toLowerCase();
        return template && doc.paths[template]?.[method] ? [] : [`${route.method} ${route.path}`];
      }),
    );
    expect(undocumented).toEqual([]);
  });

  it("names every operation once", () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["searchPacks", "createGrant", "getGrantTar", "runSync", "openapi"]));
  });
});

describe("invalid input is the one 400 naming the field", () => {
  const post = (path: string, body: string, contentType?: string) =>
    studio(path, { method: "POST", headers: contentType ? { "Content-Type": contentType } : {}, body });

  it.each([
    ["text/plain", "packs=1"],
    ["application/x-www-form-urlencoded", "packs=1"],
    ["", '{"packs":[]}'],
  ])("a grant request sent as %j is read as an empty body, not refused as 415", async (type, body) => {
    const res = await post("/api/v1/grants", body, type || undefined);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { field: string }[] } };
    expect(error.code).toBe("invalid_request");
    expect(error.details.length).toBeGreaterThan(0);
  });

  it("names the missing field of an upgrade plan posted as a form", async () => {
    const res = await post("/api/v1/upgrade-plans", "current=1", "application/x-www-form-urlencoded");
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; details: { field: string }[] } };
    expect(error.details.map((d) => d.field)).toContain("current");
    expect(error.message).toMatch(/^current: /);
  });

  it("names the query, path and body fields the declarations refuse", async () => {
    const query = await studio("/api/v1/packs?layer=kernel");
    expect(((await query.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe("layer");
    const path = await studio("/api/v1/packs/BAD NAME");
    expect(path.status).toBe(400);
    expect(((await path.json()) as { error: { details: { field: string }[] } }).error.details[0].field).toBe("name");
    const body = await post("/api/v1/upgrade-plans", JSON.stringify({ current: {} }), "application/json");
    expect(body.status).toBe(400);
    const fields = ((await body.json()) as { error: { details: { field: string }[] } }).error.details.map(
      (d) => d.field,
    );
    expect(fields).toEqual(expect.arrayContaining(["current.product", "targetVersion"]));
  });
});
