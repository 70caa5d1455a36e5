// The Hono app: cross-cutting middleware, one sub-app per resource, and the single error handler
// that gives the JSON API its one error shape.
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { captchaCspSources } from "./captcha/siteverify";
import { ApiError, errorBody, fromHttpException, misconfigured, NoRoute } from "./errors";
import { ConfigError } from "./env";
import { reconcileKeyTrust } from "./key-reconcile";
import { adminRoutes } from "./routes/api/admin";
import { adminGrantsRoutes } from "./routes/api/admin-grants";
import { adminKeysRoutes } from "./routes/api/admin-keys";
import { tokensRoutes } from "./routes/api/admin-tokens";
import { changesRoutes } from "./routes/api/changes";
import { compatibleRoutes } from "./routes/api/compatible";
import { dlRoutes } from "./routes/api/dl";
import { grantsRoutes } from "./routes/api/grants";
import { imagesApiRoutes } from "./routes/api/images";
import { keyRoutes } from "./routes/api/keys";
import { manifestsRoutes } from "./routes/api/manifests";
import { openapiRoutes } from "./routes/api/openapi";
import { packsRoutes } from "./routes/api/packs";
import { productsRoutes } from "./routes/api/products";
import { publishApi } from "./routes/api/publish";
import { upgradePlansRoutes } from "./routes/api/upgrade-plans";
import { registerSharedComponents } from "./routes/api-app";
import { htmlErrorHandler, htmlRenderer, wantsHtmlPage } from "./routes/html";
import { wizardRoutes } from "./routes/pages/bundle";
import { downloadPageRoutes } from "./routes/pages/download";
import { homeRoutes } from "./routes/pages/home";
import { imagesPageRoutes } from "./routes/pages/images";
import { installRoutes } from "./routes/pages/install";
import { packsPageRoutes } from "./routes/pages/packs";
import { upgradeRoutes } from "./routes/pages/upgrade";
import { verifyRoutes } from "./routes/pages/verify";

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };

// OpenAPIHono: each API sub-app's declared operations join the root's as it is mounted (app.route),
// so GET /api/v1/openapi.json describes exactly what is mounted.
export const app = new OpenAPIHono<AppEnv>();
registerSharedComponents(app.openAPIRegistry);

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

// A key newly marked revoked withdraws what it signed before this request is answered (key-reconcile.ts).
app.use(reconcileKeyTrust);

// The one HTML renderer: c.render(page) is the page in the layout (see routes/html.ts).
app.use(htmlRenderer);

// Pages (HTML, worker/routes/pages/), each file named by the URL it serves.
app.route("/", homeRoutes);
app.route("/install", installRoutes); // a product's installers and their download form
app.route("/", verifyRoutes); // /verify and the scripts it offers
app.route("/bundle", wizardRoutes); // the bundle wizard
app.route("/packs", packsPageRoutes); // browse packs
app.route("/download", downloadPageRoutes); // links shared before: redirects to the pages that carry the download forms
app.route("/upgrade", upgradeRoutes); // plan a site's upgrade to a newer product version
app.route("/images", imagesPageRoutes); // which pack versions ship an image, as a page
// Files and the JSON API (worker/routes/api/), each file named by the URL it serves.
app.route("/", keyRoutes); // /spectro_public_key.pem, /keys/<id>.pem
app.route("/dl", dlRoutes); // worker-signed downloads
app.route("/api/v1/products", productsRoutes);
app.route("/api/v1/packs", packsRoutes);
app.route("/api/v1/changes", changesRoutes); // incremental mirroring
app.route("/api/v1/images", imagesApiRoutes); // which pack versions ship an image
app.route("/api/v1/compatible", compatibleRoutes);
app.route("/api/v1/upgrade-plans", upgradePlansRoutes);
app.route("/api/v1/grants", grantsRoutes);
app.route("/api/v1/manifests", manifestsRoutes); // automation: API token instead of captcha
app.route("/", publishApi); // /api/v1/publish/* and /api/v1/admin/publisher-tokens (zod-openapi)
app.route("/api/v1/admin/tokens", tokensRoutes);
app.route("/api/v1/admin/grants", adminGrantsRoutes);
app.route("/api/v1/admin", adminKeysRoutes); // trusted keys, yank-all-under-a-key, audit trail
app.route("/api/v1/admin", adminRoutes);
app.route("/api/v1", openapiRoutes(app)); // GET /api/v1/openapi.json, generated from the routes above

app.notFound((c) => {
  throw new NoRoute(c.req.method, c.req.path);
});

// The one error answer: the JSON shape for every error (a browser's link to nowhere gets the HTML
// 404 page); the page sub-apps answer their own errors in HTML.
app.onError((err, c) => {
  if (err instanceof NoRoute && wantsHtmlPage(c)) {
    const page = htmlErrorHandler(err, c);
    // Like the JSON 404 it stands in for, it names the request (a rendered page is a fresh response).
    page.headers.set("X-Request-Id", c.get("requestId"));
    return page;
  }
  const error = asApiError(err, c.get("requestId"));
  return c.json(errorBody(error), error.status, error.headers);
});

/** Any error as the one error shape; what a client must not see (config, internals) goes to the log. */
function asApiError(err: Error, requestId: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) return fromHttpException(err);
  // Only "misconfigured" for the client, admin or not: the setting at fault is for the log.
  if (err instanceof ConfigError) return misconfigured(err.message, requestId);
  console.error(requestId, err);
  return new ApiError(500, "internal", `internal error; quote request id ${requestId}`);
}
