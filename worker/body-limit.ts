// Request body limits (Hono's bodyLimit) for every route that reads a body: an oversized body is
// refused as a 413 in the one error shape before anything parses it, whether or not the client
// sent a Content-Length (a chunked body is counted as it streams).
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./errors";

/** JSON selections: 500 pack refs of at most ~130 bytes each, plus a captcha token. */
export const SELECTION_BODY_BYTES = 128 * 1024;
/** The /download form: the same selection as a urlencoded form. */
export const FORM_BODY_BYTES = 128 * 1024;
/** Small admin and token requests (a name, scopes, a yank reason). */
export const ADMIN_BODY_BYTES = 16 * 1024;
/** A publisher's POSTs: the largest is a multipart completion listing up to 10,000 parts. */
export const PUBLISH_POST_BODY_BYTES = 1024 * 1024;

export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `the request body is larger than ${maxBytes / 1024} KiB`, {
        limitBytes: maxBytes,
      });
    },
  });
