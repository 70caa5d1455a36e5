// /verify: how to verify what was downloaded (real file names, the trusted keys and how each
// stands), and the scripts it offers: /verify-bundle.sh and /verify-signatures.sh.
import { Hono } from "hono";
import { html } from "htm/preact";
import { catalogEtag } from "../../catalog/generation";
import { firstPackVersion } from "../../catalog/pack-search";
import { getInstallers, listProducts } from "../../catalog/product-installers";
import type { Db } from "../../db/client";
import { VERIFY_BUNDLE_SCRIPT } from "../../downloads/verify-bundle";
import { VERIFY_SCRIPT } from "../../downloads/verify-script";
import { type KeyListing, VerifyPage, type VerifyExamples } from "../../../web/pages/verify-page";
import { htmlErrorHandler, type PagesEnv } from "../html";
import { config } from "../../env";
import { sha256OfText } from "../../encoding";
import { keySha256 } from "../../key-fingerprint";
import { defaultKey, keyStatus } from "../../key-status";

export const verifyRoutes = new Hono<PagesEnv>();

verifyRoutes.onError(htmlErrorHandler);

/** Real file names for the verification examples: the newest installers and the first pack. */
async function verifyExamples(db: Db): Promise<VerifyExamples> {
  const [products, pack] = await Promise.all([listProducts(db), firstPackVersion(db)]);
  const newest = products.find((p) => p.versions.length);
  const installers = newest ? (await getInstallers(db, newest.id, newest.versions[0].version)).artifacts : [];
  const pick = (kind: string) => installers.find((a) => a.kind === kind);
  return { contentBundle: pick("content-bundle"), iso: pick("iso"), pack };
}

verifyRoutes.get("/verify", catalogEtag, async (c) => {
  const now = Date.now();
  const cfg = config(c.env);
  const served = defaultKey(cfg.TRUSTED_PUBLIC_KEYS, now).id;
  const publisherKeys = cfg.TRUSTED_PUBLIC_KEYS.map(
    async (k): Promise<KeyListing> => ({
      id: k.id,
      status: keyStatus(k, now),
      notAfter: k.notAfter,
      revokedAt: k.revokedAt,
      served: k.id === served,
      sha256: await keySha256(k.pem),
      role: "publisher",
    }),
  );
  const studioKeys = (cfg.STUDIO_SIGNING_KEYS ?? []).map(
    async (k): Promise<KeyListing> => ({
      id: k.id,
      status: "current",
      served: false,
      sha256: await keySha256(k.publicPem),
      role: "studio",
    }),
  );
  const keys = await Promise.all([...publisherKeys, ...studioKeys]);
  return c.render(
    html`<${VerifyPage}
      examples=${await verifyExamples(c.get("catalog"))}
      keys=${keys}
      script=${VERIFY_SCRIPT}
      verifyBundleSha256=${await sha256OfText(VERIFY_BUNDLE_SCRIPT)}
    />`,
  );
});

verifyRoutes.get(
  "/verify-bundle.sh",
  () =>
    new Response(VERIFY_BUNDLE_SCRIPT, {
      headers: {
        "Content-Type": "text/x-shellscript; charset=utf-8",
        "Content-Disposition": 'attachment; filename="verify-bundle.sh"',
        "Cache-Control": "public, max-age=3600",
      },
    }),
);

verifyRoutes.get(
  "/verify-signatures.sh",
  () =>
    new Response(VERIFY_SCRIPT, {
      headers: {
        "Content-Type": "text/x-shellscript; charset=utf-8",
        "Content-Disposition": 'attachment; filename="verify-signatures.sh"',
        "Cache-Control": "public, max-age=3600",
      },
    }),
);
