// The trusted public keys, for users who verify with `openssl dgst -sha256 -verify`.
import { Hono } from "hono";
import { config } from "../env";
import { notFound } from "../errors";

export const keyRoutes = new Hono<{ Bindings: Env }>();

const pem = (body: string, fileName: string) =>
  new Response(body.endsWith("\n") ? body : `${body}\n`, {
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "public, max-age=300",
    },
  });

keyRoutes.get("/spectro_public_key.pem", (c) =>
  pem(config(c.env).TRUSTED_PUBLIC_KEYS[0].pem, "spectro_public_key.pem"),
);

keyRoutes.get("/keys/:file{[A-Za-z0-9._-]+\\.pem}", (c) => {
  const id = c.req.param("file").slice(0, -".pem".length);
  const key = config(c.env).TRUSTED_PUBLIC_KEYS.find((k) => k.id === id);
  if (!key) throw notFound(`key ${id}`);
  return pem(key.pem, `${id}.pem`);
});
