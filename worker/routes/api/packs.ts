// /api/v1/packs: browse (filters, search, facets, cursor pages) and the detail of a pack or version.
import { Hono } from "hono";
import { packFilters, packParams, packVersionParams } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { getPack, getPackVersion, searchPacks } from "../../catalog/packs";
import { validate } from "../../validate";
import { imagesOfPack } from "../../db/images";

export const packsRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();

packsRoutes.use(catalogEtag);

packsRoutes.get("/", validate("query", packFilters), async (c) =>
  c.json(await searchPacks(c.get("catalog"), c.req.valid("query"))),
);

// Each version lists the container images it ships (from its signed release manifest).
packsRoutes.get("/:name", validate("param", packParams), async (c) => {
  const { name } = c.req.valid("param");
  const [pack, images] = await Promise.all([getPack(c.get("catalog"), name), imagesOfPack(c.get("catalog"), name)]);
  return c.json({ ...pack, versions: pack.versions.map((v) => ({ ...v, images: images.get(v.version) ?? [] })) });
});

packsRoutes.get("/:name/versions/:version", validate("param", packVersionParams), async (c) => {
  const { name, version } = c.req.valid("param");
  const [detail, images] = await Promise.all([
    getPackVersion(c.get("catalog"), name, version),
    imagesOfPack(c.get("catalog"), name),
  ]);
  return c.json({ ...detail, images: images.get(version) ?? [] });
});
