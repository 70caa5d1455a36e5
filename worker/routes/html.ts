// Plumbing shared by the server-rendered page sub-apps (pages, bundle, browse): the HTML response
// helpers, zod parsing that fails as a 400 naming the field, and the handlers that make a page
// route answer in HTML whatever went wrong.
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { html } from "htm/preact";
import type { VNode } from "preact";
import type { z } from "zod";
import type { PackRef } from "../catalog/vocabulary";
import type { CatalogVariables } from "../catalog/generation";
import { ConfigError } from "../env";
import { ApiError, invalidInput } from "../errors";
import { documentHtml } from "../../web/components/layout";
import { parseRefList } from "../../web/lib/wizard";
import { ErrorPage } from "../../web/pages/error";

export type PagesEnv = { Bindings: Env; Variables: CatalogVariables & { requestId: string } };

export const page = (tree: VNode, status: 200 | 400 | 404 | 500 | 503 = 200) =>
  new Response(documentHtml(tree), { status, headers: { "Content-Type": "text/html; charset=utf-8" } });

export const errorPage = (
  status: number,
  message: string,
  details?: { field?: string; message: string }[],
  requestId?: string,
) =>
  page(
    html`<${ErrorPage} status=${status} message=${message} details=${details} requestId=${requestId} />`,
    status as 400,
  );

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
    throw new ApiError(
      400,
      "invalid_request",
      "the form body is malformed; send multipart/form-data or a urlencoded form",
      [{ field: "body", message: "malformed form body" }],
    );
  }
}

/** A form's `pick` values as pack refs; a pick that is not name@version is a 400 (not form noise). */
export function parsePicks(picks: readonly string[]): PackRef[] {
  const refs = parseRefList(picks.join(","));
  if (refs.length !== picks.length) {
    throw new ApiError(400, "invalid_request", "pick: every pick must be name@version", [
      { field: "pick", message: "every pick must be name@version" },
    ]);
  }
  return refs;
}

/** Page routes answer in HTML, whatever went wrong; every page sub-app installs this as onError. */
// Typed on the plain Context so any page sub-app (whatever its variables) can install it.
export const htmlErrorHandler = (err: Error, c: Context): Response => {
  if (err instanceof ApiError) {
    const details = Array.isArray(err.details) ? err.details : undefined;
    return errorPage(err.status, err.message, details);
  }
  if (err instanceof ConfigError) {
    console.error(c.get("requestId"), err.message);
    return errorPage(503, "The studio is misconfigured; the operators have been told.", undefined, c.get("requestId"));
  }
  if (err instanceof HTTPException) return errorPage(err.status, err.message || "The request was refused.");
  console.error(c.get("requestId"), err);
  return errorPage(500, "An unexpected error stopped this page from rendering.", undefined, c.get("requestId"));
};

/**
 * A browser that follows a link to nowhere gets an HTML page; API clients keep the JSON shape.
 * Only the app's own "no route" answer is replaced, never another route's deliberate 404. It must
 * be registered with use("*") on a sub-app mounted at "/", so it wraps every path of the app.
 */
export const htmlNotFound: MiddlewareHandler<PagesEnv> = async (c, next) => {
  await next();
  const path = c.req.path;
  const wantsHtml = (c.req.header("Accept") ?? "").includes("text/html");
  const apiPath = path.startsWith("/api/") || path.startsWith("/dl/") || path.startsWith("/keys/");
  if (c.res.status !== 404 || !wantsHtml || apiPath || !(c.req.method === "GET" || c.req.method === "HEAD")) return;
  if (!c.res.headers.get("Content-Type")?.includes("json")) return;
  const body = (await c.res
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (body?.error?.message?.startsWith("no route for ")) c.res = errorPage(404, `There is no page at ${path}.`);
};
