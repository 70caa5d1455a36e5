// /api/v1/products: the products, their versions, and each version's installers.
import { Hono } from "hono";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { productVersionParams } from "../../catalog/filters";
import { getInstallers, listProducts } from "../../catalog/products";
import { validate } from "../../validate";

export const productsRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();

productsRoutes.use(catalogEtag);

productsRoutes.get("/", async (c) => c.json({ items: await listProducts(c.get("catalog")) }));

productsRoutes.get("/:product/versions/:version/artifacts", validate("param", productVersionParams), async (c) => {
  const { product, version } = c.req.valid("param");
  return c.json(await getInstallers(c.get("catalog"), product, version));
});
