// Admin API: the catalog sync (run now, status, quarantine) and yanking. Bearer token only.
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { config } from "../env";

export const adminRoutes = new Hono<{ Bindings: Env }>();

adminRoutes.use(bearerAuth({ verifyToken: (token, c) => timingSafeEqualText(token, config(c.env as Env).ADMIN_TOKEN) }));

function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.byteLength === y.byteLength && timingSafeEqual(x, y);
}
