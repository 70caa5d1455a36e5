// The one error shape of the JSON API: { error: { code, message, details? } }. Handlers throw
// ApiError (or let zod fail); app.onError turns both into that shape.
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

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);

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

export function errorBody(err: ApiError) {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}
