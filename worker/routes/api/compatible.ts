// /api/v1/compatible: the packs the bundle wizard offers for a layer, and why each other one is hidden.
import { Hono } from "hono";
import { compatiblePacks } from "../../catalog/compatibility";
import { compatiblePageQuery } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { validate } from "../../validate";

export const compatibleRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();

compatibleRoutes.use(catalogEtag);

compatibleRoutes.get("/", validate("query", compatiblePageQuery), async (c) =>
  c.json(await compatiblePacks(c.get("catalog"), c.req.valid("query"))),
);
