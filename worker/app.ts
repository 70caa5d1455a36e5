// The Hono app: cross-cutting middleware, one sub-app per resource, and the single error handler
// that gives the JSON API its one error shape.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { captchaCspSources } from "./captcha";
import { ApiError, errorBody, misconfigured } from "./errors";
import { ConfigError } from "./env";
import { adminKeysRoutes } from "./routes/admin-keys";
import { adminRoutes } from "./routes/admin";
import { adminGrantsRoutes } from "./routes/admin-grants";
import { browseRoutes } from "./routes/browse";
import { bundleRoutes } from "./routes/bundle";
import { compatibleRoutes } from "./routes/compatible";
import { downloadPageRoutes } from "./routes/download-page";
import { filesRoutes } from "./routes/files";
import { grantsRoutes } from "./routes/grants";
import { keyRoutes } from "./routes/keys";
import { manifestsRoutes } from "./routes/manifests";
import { openapiRoutes } from "./routes/openapi";
import { packsRoutes } from "./routes/packs";
import { pagesRoutes } from "./routes/pages";
import { productsRoutes } from "./routes/products";
import { tokensRoutes } from "./routes/tokens";
import { upgradePlansRoutes } from "./routes/upgrade-plans";
import { upgradeRoutes } from "./routes/upgrade";

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };

export const app = new Hono<AppEnv>();

app.use(requestId());
app.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // The captcha widget's origins, only when that provider is configured (raw var: never throws here).
      scriptSrc: ["'self'", (c) => captchaCspSources(c.env.CAPTCHA_PROVIDER).script.join(" ")],
      frameSrc: ["'self'", (c) => captchaCspSources(c.env.CAPTCHA_PROVIDER).frame.join(" ")],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    referrerPolicy: "strict-origin-when-cross-origin",
    xFrameOptions: "DENY",
  }),
);

app.route("/", keyRoutes);
app.route("/", pagesRoutes); // server-rendered HTML: /, /install/*, /verify, and the HTML 404 for any unrouted path
app.route("/bundle", bundleRoutes); // the bundle wizard
app.route("/packs", browseRoutes); // browse packs
app.route("/dl", filesRoutes); // worker-signed downloads
app.route("/download", downloadPageRoutes); // links shared before: redirects to the pages that carry the download forms
app.route("/upgrade", upgradeRoutes); // plan a site's upgrade to a newer product version
app.route("/api/v1/products", productsRoutes);
app.route("/api/v1/packs", packsRoutes);
app.route("/api/v1/compatible", compatibleRoutes);
app.route("/api/v1/upgrade-plans", upgradePlansRoutes);
app.route("/api/v1/grants", grantsRoutes);
app.route("/api/v1/manifests", manifestsRoutes); // automation: API token instead of captcha
app.route("/api/v1/admin/tokens", tokensRoutes);
app.route("/api/v1/admin/grants", adminGrantsRoutes);
app.route("/api/v1/admin", adminKeysRoutes); // trusted keys, yank-all-under-a-key, audit trail
app.route("/api/v1/admin", adminRoutes);
app.route("/api/v1", openapiRoutes); // GET /api/v1/openapi.json

app.notFound((c) =>
  c.json(errorBody(new ApiError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`)), 404),
);

app.onError((err, c) => {
  if (err instanceof ApiError) {
    return c.json(errorBody(err), err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    const res = err.getResponse();
    const code = err.status === 401 ? "unauthorized" : err.status === 403 ? "forbidden" : "http_error";
    const message =
      err.message || (err.status === 401 ? "a valid bearer token is required" : res.statusText || "request refused");
    const headers: Record<string, string> = {};
    // Keep the exception's headers (WWW-Authenticate, ...) but not its text/plain Content-Type: the body is JSON.
    res.headers.forEach((value, name) => {
      if (name !== "content-type") headers[name] = value;
    });
    return c.json(errorBody(new ApiError(err.status as 400, code, message)), err.status, headers);
  }
  const id = c.get("requestId");
  if (err instanceof ConfigError) {
    // Only "misconfigured" for the client, admin or not: the setting at fault is for the log.
    return c.json(errorBody(misconfigured(err.message, id)), 503);
  }
  console.error(id, err);
  return c.json(errorBody(new ApiError(500, "internal", `internal error; quote request id ${id}`)), 500);
});
