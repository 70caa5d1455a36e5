// /api/v1/packs: browse (filters, search, facets, cursor pages) and the detail of a pack or version.
import { Hono } from "hono";
import { packFilters, packParams, packVersionParams } from "../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../catalog/generation";
import { getPack, getPackVersion, searchPacks } from "../catalog/packs";
import { validate } from "../validate";

export const packsRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();

packsRoutes.use(catalogEtag);

packsRoutes.get("/", validate("query", packFilters), async (c) =>
  c.json(await searchPacks(c.get("catalog"), c.req.valid("query"))),
);

packsRoutes.get("/:name", validate("param", packParams), async (c) =>
  c.json(await getPack(c.get("catalog"), c.req.valid("param").name)),
);

packsRoutes.get("/:name/versions/:version", validate("param", packVersionParams), async (c) => {
  const { name, version } = c.req.valid("param");
  return c.json(await getPackVersion(c.get("catalog"), name, version));
});
