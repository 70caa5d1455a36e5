// /: the home page, the products and where each journey starts.
import { Hono } from "hono";
import { html } from "htm/preact";
import { catalogEtag } from "../../catalog/generation";
import { listProducts } from "../../catalog/product-installers";
import { HomePage } from "../../../web/pages/home-page";
import { htmlErrorHandler, type PagesEnv } from "../html";

export const homeRoutes = new Hono<PagesEnv>();

homeRoutes.onError(htmlErrorHandler);

homeRoutes.get("/", catalogEtag, async (c) =>
  c.render(html`<${HomePage} products=${await listProducts(c.get("catalog"))} />`),
);
