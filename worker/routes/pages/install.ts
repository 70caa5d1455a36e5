// /install/<product>?version=: a product's installers (content bundle, ISO, Helm chart) with the
// download form that posts back here. Handlers parse the URL with zod (a 400 page names the field),
// call the catalog's query functions and render; all state lives in the URL, so it works without JavaScript.
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { catalogEtag } from "../../catalog/generation";
import { dottedVersion } from "../../catalog/filters";
import { getInstallers, listProducts } from "../../catalog/product-installers";
import { catalogReader, type Db } from "../../db/client";
import { notFound } from "../../errors";
import { InstallPage } from "../../../web/pages/install-page";
import type { DownloadOutcome } from "../../../web/components/download-controls";
import { captchaView, formFields, postDownload, postedPage } from "../download-forms";
import { htmlErrorHandler, parseOrThrow, type PagesEnv } from "../html";
import { FORM_BODY_BYTES, limitBody } from "../../body-limit";

export const installRoutes = new Hono<PagesEnv>();

installRoutes.onError(htmlErrorHandler);

const installQuery = z.object({ version: dottedVersion.optional() });

/** The install page, with what its download form's POST gave when there was one. */
async function installPage(c: Context<PagesEnv>, db: Db, version: string | undefined, outcome?: DownloadOutcome) {
  const productId = c.req.param("product") ?? "";
  // getInstallers names an unknown product with the same 404 as the check below, so the two
  // queries can run together whichever fails first.
  const [products, installers] = await Promise.all([
    listProducts(db),
    version ? getInstallers(db, productId, version) : undefined,
  ]);
  const product = products.find((p) => p.id === productId);
  if (!product) throw notFound(`product ${productId}`);
  return html`<${InstallPage} product=${product} installers=${installers} captcha=${captchaView(c.env)} outcome=${outcome} />`;
}

installRoutes.get("/:product", catalogEtag, async (c) => {
  const { version } = parseOrThrow(installQuery, { version: c.req.query("version") || undefined });
  return c.render(await installPage(c, c.get("catalog"), version));
});

// The installers table's form posts back here. The grant covers every installer of the version, so
// one solved captcha serves each row's Download, Download Bundle and Copy all URLs alike.
installRoutes.post("/:product", limitBody(FORM_BODY_BYTES), async (c) => {
  const { version } = parseOrThrow(installQuery.required(), { version: c.req.query("version") || undefined });
  const posted = await postDownload(
    c,
    { installers: { product: c.req.param("product"), version } },
    await formFields(c),
  );
  return postedPage(c, await installPage(c, catalogReader(c.env), version, posted.outcome), posted);
});
