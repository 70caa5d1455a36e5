// The admin bearer check, shared by every sub-app under /api/v1/admin: each applies it itself, so
// the order in which app.ts mounts them cannot leave one open.
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { bearerAuth } from "hono/bearer-auth";
import { config } from "./env";

export const adminBearer = bearerAuth({
  verifyToken: (token, c) => {
    const given = Buffer.from(token);
    const expected = Buffer.from(config(c.env as Env).ADMIN_TOKEN);
    return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
  },
});
