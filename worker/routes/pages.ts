// The studio's front pages, server-rendered (Preact + htm): home, install, verification and the
// verify script. Handlers parse the URL with zod (a 400 page names the field), call the catalog's
// query functions and render; all state lives in the URL so every page works without JavaScript.
// Mounted at "/", this sub-app also carries the HTML 404 for every unrouted path of the app.
import { Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { catalogEtag } from "../catalog/generation";
import { dottedVersion } from "../catalog/filters";
import { firstPackVersion } from "../catalog/packs";
import { getInstallers, listProducts } from "../catalog/products";
import { type Db } from "../db/client";
import { VERIFY_BUNDLE_SCRIPT } from "../downloads/verify-bundle";
import { VERIFY_SCRIPT } from "../downloads/verify-script";
import { notFound } from "../errors";
import { HomePage } from "../../web/pages/home";
import { InstallPage } from "../../web/pages/install";
import { VerifyPage, type VerifyExamples } from "../../web/pages/verify";
import { htmlErrorHandler, htmlNotFound, page, parseOrThrow, type PagesEnv } from "./html";

export const pagesRoutes = new Hono<PagesEnv>();

pagesRoutes.onError(htmlErrorHandler);
// use("*") on the "/" mount wraps every path of the app, /bundle and /packs included.
pagesRoutes.use("*", htmlNotFound);

pagesRoutes.get("/", catalogEtag, async (c) =>
  page(html`<${HomePage} products=${await listProducts(c.get("catalog"))} />`),
);

pagesRoutes.get("/install/:product", catalogEtag, async (c) => {
  const { version } = parseOrThrow(z.object({ version: dottedVersion.optional() }), {
    version: c.req.query("version") || undefined,
  });
  const db = c.get("catalog");
  const productId = c.req.param("product");
  // getInstallers names an unknown product with the same 404 as the check below, so the two
  // queries can run together whichever fails first.
  const [products, installers] = await Promise.all([
    listProducts(db),
    version ? getInstallers(db, productId, version) : undefined,
  ]);
  const product = products.find((p) => p.id === productId);
  if (!product) throw notFound(`product ${productId}`);
  return page(html`<${InstallPage} product=${product} installers=${installers} />`);
});

/** Real file names for the verification examples: the newest installers and the first pack. */
async function verifyExamples(db: Db): Promise<VerifyExamples> {
  const [products, pack] = await Promise.all([listProducts(db), firstPackVersion(db)]);
  const newest = products.find((p) => p.versions.length);
  const installers = newest ? (await getInstallers(db, newest.id, newest.versions[0].version)).artifacts : [];
  const pick = (kind: string) => installers.find((a) => a.kind === kind);
  return { contentBundle: pick("content-bundle"), iso: pick("iso"), pack };
}

pagesRoutes.get("/verify", catalogEtag, async (c) =>
  page(html`<${VerifyPage} examples=${await verifyExamples(c.get("catalog"))} />`),
);

pagesRoutes.get(
  "/verify-bundle.sh",
  (c) =>
    new Response(VERIFY_BUNDLE_SCRIPT, {
      headers: {
        "Content-Type": "text/x-shellscript; charset=utf-8",
        "Content-Disposition": 'attachment; filename="verify-bundle.sh"',
        "Cache-Control": "public, max-age=3600",
      },
    }),
);

pagesRoutes.get(
  "/verify-signatures.sh",
  (c) =>
    new Response(VERIFY_SCRIPT, {
      headers: {
        "Content-Type": "text/x-shellscript; charset=utf-8",
        "Content-Disposition": 'attachment; filename="verify-signatures.sh"',
        "Cache-Control": "public, max-age=3600",
      },
    }),
);
