// The one error shape of the JSON API: { error: { code, message, details? } }. Handlers throw
// ApiError or one of its kinds (NotFound, NoRoute, badField; or let zod fail); app.onError turns
// them into that shape, and the page sub-apps' onError into the HTML error page. Handlers branch
// on the class and its fields, never on the message.
import type { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export type ErrorDetail = { field?: string; message: string; [k: string]: unknown };

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** A 404: something the request names does not exist. */
export class NotFound extends ApiError {
  constructor(message: string, details?: ErrorDetail[]) {
    super(404, "not_found", message, details);
  }
}

/** The app's own 404 for a path no route serves (a browser gets the HTML 404 page instead). */
export class NoRoute extends NotFound {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`no route for ${method} ${path}`);
  }
}

/** "<what> not found" (details may name the field that named it). */
export const notFound = (what: string, details?: ErrorDetail[]) => new NotFound(`${what} not found`, details);

/**
 * The one field at fault, named in the message and in details: a 400 when its value is unusable,
 * a 404 when it names something that does not exist.
 */
export function badField(field: string, message: string, status: 400 | 404 = 400): ApiError {
  const details = [{ field, message }];
  return status === 404
    ? new NotFound(`${field}: ${message}`, details)
    : new ApiError(400, "invalid_request", `${field}: ${message}`, details);
}

/** The field an error names first (badField, notFound with a field, zod failures), if any. */
export const fieldOf = (err: ApiError): string | undefined =>
  Array.isArray(err.details) ? err.details[0]?.field : undefined;

/** All a client learns of a misconfigured deployment; what is wrong goes to the log only. */
export const MISCONFIGURED_MESSAGE = "the studio is misconfigured; the operators have been told";

/** A 503 "misconfigured" that logs the detail (console.error) and tells the client nothing more. */
export function misconfigured(detail: string, requestId?: string): ApiError {
  console.error(requestId ?? "-", detail);
  return new ApiError(
    503,
    "misconfigured",
    requestId ? `${MISCONFIGURED_MESSAGE} (request id ${requestId})` : MISCONFIGURED_MESSAGE,
  );
}

/** A zod failure as a 400 that names every field at fault, the first one in the message. */
export function invalidInput(error: z.ZodError, where = "query"): ApiError {
  const details = error.issues.map((issue) => ({
    field: issue.path.join(".") || where,
    message: issue.message,
  }));
  const first = details[0];
  return new ApiError(400, "invalid_request", `${first.field}: ${first.message}`, details);
}

/** Hono's HTTPException (bearer auth, ...) in our shape, keeping its headers (WWW-Authenticate, ...). */
export function fromHttpException(err: HTTPException): ApiError {
  const res = err.getResponse();
  const code = err.status === 401 ? "unauthorized" : err.status === 403 ? "forbidden" : "http_error";
  const message =
    err.message || (err.status === 401 ? "a valid bearer token is required" : res.statusText || "request refused");
  const headers: Record<string, string> = {};
  // Not its text/plain Content-Type: the body is JSON.
  res.headers.forEach((value, name) => {
    if (name !== "content-type") headers[name] = value;
  });
  return new ApiError(err.status, code, message, undefined, headers);
}

/** The one JSON error shape. */
export function errorBody(err: ApiError) {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}
