// The Worker under test as a client reaches it: one fetch helper and the admin credentials, so the
// test files share them instead of each defining its own.
import { env, exports } from "cloudflare:workers";

export const ORIGIN = "http://studio.test";

/**
 * A request to the Worker (a path, or a full URL such as a signed link). It goes through
 * exports.default.fetch at call time, so the contract check (contract-setup.ts) sees every answer.
 */
export const studio = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(new URL(path, ORIGIN), init));

/** The admin bearer header (the ADMIN_TOKEN the tests run with). */
export const ADMIN_AUTH = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };

/** The admin bearer header for a JSON body. */
export const ADMIN_JSON = { ...ADMIN_AUTH, "Content-Type": "application/json" };
