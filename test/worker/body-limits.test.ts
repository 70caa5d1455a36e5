// Request bodies: every POST route of the app refuses an oversized body with a 413 (the JSON error
// shape for the API, an HTML page for the pages), with or without a Content-Length; every
// bundle-spec field has a maximum length; a malformed form is a 400.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { SELECTION_BODY_BYTES } from "../../worker/body-limit";
import { MAX_BATCH_BYTES } from "../../worker/publish/schemas";
import { MAX_RELEASE_JSON_BYTES } from "../../worker/sync/release-checks";
import { ADMIN_AUTH, studio } from "./support/studio";

/** A concrete path for a route pattern, with plausible values for its parameters. */
const concrete = (path: string) =>
  path
    .replace(":format", "urls.txt")
    .replace(":id", "AAAAAAAAAAAAAAAAAAAAAA")
    .replace(":name", "kubernetes")
    .replace(":version", "1.30.4")
    .replace(":releaseId", "acme-1");

const postPaths = [...new Set(app.routes.filter((r) => r.method === "POST").map((r) => concrete(r.path)))];
/** Routes whose body may legitimately pass 1 MiB, with their own limit: a release.json to plan, a batch of files. */
const largerLimits: Record<string, number> = {
  "/api/v1/publish/plan": MAX_RELEASE_JSON_BYTES,
  "/api/v1/publish/releases/acme-1/batch": MAX_BATCH_BYTES,
};

describe("body limits", () => {
  it("knows the POST routes it guards", () => {
    expect(postPaths).toEqual(
      expect.arrayContaining([
        "/api/v1/grants",
        "/api/v1/manifests/bundle/urls.txt",
        "/api/v1/manifests/packs/urls.txt",
        "/api/v1/admin/tokens",
        "/api/v1/admin/sync",
        "/api/v1/admin/grants/AAAAAAAAAAAAAAAAAAAAAA/revoke",
        "/api/v1/admin/packs/kubernetes/versions/1.30.4/yank",
        "/download",
        "/bundle/import",
      ]),
    );
  });

  it.each(postPaths)("POST %s refuses a body over its limit (1 MiB unless stated) with 413", async (path) => {
    const body = `{"pad":"${"x".repeat(largerLimits[path] ?? 1024 * 1024)}"}`;
    const res = await studio(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Content-Length": String(body.length),
        ...ADMIN_AUTH,
      },
      body,
    });
    expect(res.status).toBe(413);
    if (path.startsWith("/api/")) {
      expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
    } else {
      expect(res.headers.get("Content-Type")).toContain("text/html");
      expect(await res.text()).toContain("larger than");
    }
  });

  it("counts a streamed body that has no Content-Length", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 4) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const req = new Request("http://studio.test/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: stream,
    });
    expect(req.headers.get("Content-Length")).toBeNull();
    const res = await exports.default.fetch(req);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("leaves room for the largest valid selection (500 packs with the longest names and versions)", () => {
    const packs = Array.from({ length: 500 }, () => ({ name: "p".repeat(64), version: "v".repeat(40) }));
    const body = JSON.stringify({ packs, captchaToken: "t".repeat(4096) });
    expect(body.length).toBeLessThan(SELECTION_BODY_BYTES);
  });
});

describe("bundle spec field lengths", () => {
  const spec = { product: "palette-enterprise", version: "4.6.12", useCase: "controller", cloud: "aws", packs: [] };
  const fieldAtFault = async (bundle: unknown) => {
    const res = await studio("/api/v1/grants", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ bundle }),
    });
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: { details: { field: string }[] } }).error.details[0].field;
  };

  it("refuses an over-long product, version, pack name or pack version, naming the field", async () => {
    expect(await fieldAtFault({ ...spec, product: "p".repeat(65) })).toBe("bundle.product");
    expect(await fieldAtFault({ ...spec, version: "4".repeat(41) })).toBe("bundle.version");
    expect(await fieldAtFault({ ...spec, packs: [{ name: "n".repeat(65), version: "1" }] })).toBe(
      "bundle.packs.0.name",
    );
    expect(await fieldAtFault({ ...spec, packs: [{ name: "n", version: "1".repeat(41) }] })).toBe(
      "bundle.packs.0.version",
    );
  });
});

describe("malformed forms", () => {
  const brokenMultipart = (path: string) =>
    studio(path, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=XYZ" },
      body: '--XYZ\r\nContent-Disposition: form-data; name="spec"\r\n\r\nno closing boundary',
    });

  it.each(["/download", "/bundle/import"])(
    "POST %s answers a malformed multipart body with a 400 page",
    async (path) => {
      const res = await brokenMultipart(path);
      expect(res.status).toBe(400);
      expect(res.headers.get("Content-Type")).toContain("text/html");
      expect(await res.text()).toContain("malformed form body");
    },
  );
});
