// The trusted public keys, for users who verify with `openssl dgst -sha256 -verify`, and the studio's
// own keys that sign the grants' bundle lists.
import { Hono } from "hono";
import { config, type TrustedKey } from "../../env";
import { defaultKey, keyStatus } from "../../key-status";
import { notFound } from "../../errors";
import { keySha256 } from "../../key-fingerprint";

export const keyRoutes = new Hono<{ Bindings: Env }>();

/**
 * The PEM as openssl reads it; X-Key-Status says whether the key still makes anything trusted, and
 * X-Key-Sha256 is the fingerprint a user pins in verify-bundle.sh's PUBKEY_SHA256 or STUDIO_KEY_SHA256.
 */
const pem = async (key: TrustedKey, fileName: string) =>
  new Response(key.pem.endsWith("\n") ? key.pem : `${key.pem}\n`, {
    headers: {
      "X-Key-Sha256": await keySha256(key.pem),
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "public, max-age=300",
      "X-Key-Id": key.id,
      "X-Key-Status": keyStatus(key, Date.now()),
      ...(key.notAfter && { "X-Key-Not-After": key.notAfter }),
    },
  });

keyRoutes.get("/spectro_public_key.pem", (c) =>
  pem(defaultKey(config(c.env).TRUSTED_PUBLIC_KEYS, Date.now()), "spectro_public_key.pem"),
);

keyRoutes.get("/keys/:file{[A-Za-z0-9._-]+\\.pem}", async (c) => {
  const id = c.req.param("file").slice(0, -".pem".length);
  const cfg = config(c.env);
  const key = cfg.TRUSTED_PUBLIC_KEYS.find((k) => k.id === id);
  if (key) return pem(key, `${id}.pem`);
  // The studio's own keys (they sign the grants' bundle lists): every one listed is served, for rotation.
  const studio = cfg.STUDIO_SIGNING_KEYS?.find((k) => k.id === id);
  if (!studio) throw notFound(`key ${id}`);
  return new Response(studio.publicPem, {
    headers: {
      "X-Key-Sha256": await keySha256(studio.publicPem),
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${id}.pem"`,
      "Cache-Control": "public, max-age=300",
      "X-Key-Id": id,
      "X-Key-Role": "studio",
      "X-Key-Status": "current",
    },
  });
});
