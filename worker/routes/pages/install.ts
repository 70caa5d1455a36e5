// The studio's front pages, server-rendered (Preact + htm): home, install, verification and the
// verify script. Handlers parse the URL with zod (a 400 page names the field), call the catalog's
// query functions and render; all state lives in the URL so every page works without JavaScript.
import { type Context, Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { catalogEtag } from "../catalog/generation";
import { dottedVersion } from "../catalog/filters";
import { firstPackVersion } from "../catalog/packs";
import { getInstallers, listProducts } from "../catalog/products";
import { catalogReader, type Db } from "../db/client";
import { VERIFY_BUNDLE_SCRIPT } from "../downloads/verify-bundle";
import { VERIFY_SCRIPT } from "../downloads/verify-script";
import { notFound } from "../errors";
import { HomePage } from "../../web/pages/home";
import { InstallPage } from "../../web/pages/install";
import { VerifyPage, type VerifyExamples } from "../../web/pages/verify";
import type { DownloadOutcome } from "../../web/components/download";
import { captchaView, formFields, postDownload, postedPage } from "./download-forms";
import { htmlErrorHandler, parseOrThrow, type PagesEnv } from "./html";
import { FORM_BODY_BYTES, limitBody } from "../body-limit";
import { config } from "../env";
import { defaultKey, keyStatus } from "../keys";

export const pagesRoutes = new Hono<PagesEnv>();

pagesRoutes.onError(htmlErrorHandler);

pagesRoutes.get("/", catalogEtag, async (c) =>
  c.render(html`<${HomePage} products=${await listProducts(c.get("catalog"))} />`),
);

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

pagesRoutes.get("/install/:product", catalogEtag, async (c) => {
  const { version } = parseOrThrow(installQuery, { version: c.req.query("version") || undefined });
  return c.render(await installPage(c, c.get("catalog"), version));
});

// The installers table's form posts back here. The grant covers every installer of the version, so
// one solved captcha serves each row's Download, Download Bundle and Copy all URLs alike.
pagesRoutes.post("/install/:product", limitBody(FORM_BODY_BYTES), async (c) => {
  const { version } = parseOrThrow(installQuery.required(), { version: c.req.query("version") || undefined });
  const posted = await postDownload(
    c,
    { installers: { product: c.req.param("product"), version } },
    await formFields(c),
  );
  return postedPage(c, await installPage(c, catalogReader(c.env), version, posted.outcome), posted);
});

/** Real file names for the verification examples: the newest installers and the first pack. */
async function verifyExamples(db: Db): Promise<VerifyExamples> {
  const [products, pack] = await Promise.all([listProducts(db), firstPackVersion(db)]);
  const newest = products.find((p) => p.versions.length);
  const installers = newest ? (await getInstallers(db, newest.id, newest.versions[0].version)).artifacts : [];
  const pick = (kind: string) => installers.find((a) => a.kind === kind);
  return { contentBundle: pick("content-bundle"), iso: pick("iso"), pack };
}

pagesRoutes.get("/verify", catalogEtag, async (c) => {
  const now = Date.now();
  const trusted = config(c.env).TRUSTED_PUBLIC_KEYS;
  const served = defaultKey(trusted, now).id;
  const keys = trusted.map((k) => ({
    id: k.id,
    status: keyStatus(k, now),
    notAfter: k.notAfter,
    revokedAt: k.revokedAt,
    served: k.id === served,
  }));
  return c.render(
    html`<${VerifyPage} examples=${await verifyExamples(c.get("catalog"))} keys=${keys} script=${VERIFY_SCRIPT} />`,
  );
});

pagesRoutes.get(
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

pagesRoutes.get(
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
