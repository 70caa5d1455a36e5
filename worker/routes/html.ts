// Plumbing shared by the server-rendered page sub-apps (pages, bundle, browse, upgrade, images):
// the one renderer (every page answers with c.render), zod parsing that fails as a 400 naming the
// field, and the error handler that makes a page route answer in HTML whatever went wrong.
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { html } from "htm/preact";
import type { VNode } from "preact";
import type { z } from "zod";
import type { PackRef } from "../domain/vocabulary";
import type { CatalogVariables } from "../catalog/generation";
import { ConfigError } from "../env";
import { ApiError, badField, invalidInput, NoRoute } from "../errors";
import { documentHtml } from "../../web/components/layout";
import { parseRefList } from "../../web/lib/wizard";
import { ErrorPage } from "../../web/pages/error";

export type PagesEnv = { Bindings: Env; Variables: CatalogVariables & { requestId: string } };

/** A rendered page's status (200 unless said) and the headers it adds (no-store, Retry-After...). */
export type PageInit = { status?: ContentfulStatusCode; headers?: Record<string, string> };

declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: Hono's ContextRenderer is augmented, so it stays an interface
    (page: VNode, init?: PageInit): Response;
  }
}

/**
 * The one renderer, installed once for the whole app (as honox's _renderer.tsx): c.render(page,
 * init) puts the page in the layout under the title its <Head> declares. The response carries the
 * page's own status and headers plus those set before the handler (the request id); the middleware
 * around the handler (security headers, the catalog's cache headers) adds its own on the way out.
 */
export const htmlRenderer: MiddlewareHandler = async (c, next) => {
  // c.body, not a bare Response, so headers set before the handler (X-Request-Id) reach the page too.
  c.setRenderer((page, init = {}) =>
    c.body(documentHtml(page), init.status ?? 200, { "Content-Type": "text/html; charset=utf-8", ...init.headers }),
  );
  await next();
};

/** The HTML error page, through the one renderer. */
function errorPage(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  details?: { field?: string; message: string }[],
  requestId?: string,
) {
  return c.render(
    html`<${ErrorPage} status=${status} message=${message} details=${details} requestId=${requestId} />`,
    { status },
  );
}

/** The query string as a plain record (first value of each parameter). */
export const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, where = "query"): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error, where);
  return parsed.data;
}

/**
 * A POSTed form (multipart or urlencoded); a body that does not parse as the form it claims to be
 * is a 400, not a 500.
 */
export async function parseForm(
  c: Context,
  options: { all?: boolean } = {},
): Promise<Record<string, string | File | (string | File)[]>> {
  try {
    return (await c.req.parseBody(options)) as Record<string, string | File | (string | File)[]>;
  } catch {
    throw badField("body", "malformed form body; send multipart/form-data or a urlencoded form");
  }
}

/** A form's `pick` values as pack refs; a pick that is not name@version is a 400 (not form noise). */
export function parsePicks(picks: readonly string[]): PackRef[] {
  const refs = parseRefList(picks.join(","));
  if (refs.length !== picks.length) {
    throw badField("pick", "every pick must be name@version");
  }
  return refs;
}

/** Page routes answer in HTML, whatever went wrong; every page sub-app installs this as onError. */
// Typed on the plain Context so any page sub-app (whatever its variables) can install it.
export const htmlErrorHandler = (err: Error, c: Context): Response => {
  if (err instanceof NoRoute) return errorPage(c, 404, `There is no page at ${err.path}.`);
  if (err instanceof ApiError) {
    const details = Array.isArray(err.details) ? err.details : undefined;
    return errorPage(c, err.status, err.message, details);
  }
  const requestId = c.get("requestId");
  if (err instanceof ConfigError) {
    console.error(requestId, err.message);
    return errorPage(c, 503, "The studio is misconfigured; the operators have been told.", undefined, requestId);
  }
  if (err instanceof HTTPException) return errorPage(c, err.status, err.message || "The request was refused.");
  console.error(requestId, err);
  return errorPage(c, 500, "An unexpected error stopped this page from rendering.", undefined, requestId);
};

/**
 * A browser that follows a link to nowhere gets the HTML 404 page; API clients, downloads, keys and
 * anything but GET keep the JSON shape.
 */
export function wantsHtmlPage(c: Context): boolean {
  const path = c.req.path;
  const apiPath = path.startsWith("/api/") || path.startsWith("/dl/") || path.startsWith("/keys/");
  const read = c.req.method === "GET" || c.req.method === "HEAD";
  return read && !apiPath && (c.req.header("Accept") ?? "").includes("text/html");
}
