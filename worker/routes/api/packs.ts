// /api/v1/packs: browse (filters, search, facets, cursor pages) and the detail of a pack or version.
import { Hono } from "hono";
import { packFilters, packParams, packVersionParams } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { searchPacks } from "../../catalog/packs";
import { packVersionOrYank, packWithYanks, yankedVersion } from "../../catalog/yanks";
import { validate } from "../../validate";
import { imagesOfPack } from "../../db/images";

export const packsRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();

packsRoutes.use(catalogEtag);

packsRoutes.get("/", validate("query", packFilters), async (c) =>
  c.json(await searchPacks(c.get("catalog"), c.req.valid("query"))),
);

// Each version lists the container images it ships (from its signed release manifest); yanked
// versions are listed apart with when and why, and a pack or version that is only yanked is a 410 saying so.
packsRoutes.get("/:name", validate("param", packParams), async (c) => {
  const { name } = c.req.valid("param");
  const [{ yanked, ...pack }, images] = await Promise.all([
    packWithYanks(c.get("catalog"), name),
    imagesOfPack(c.get("catalog"), name),
  ]);
  const versions = pack.versions.map((v) => ({ ...v, images: images.get(v.version) ?? [] }));
  return c.json({ ...pack, versions, yanked: yanked.map(yankedVersion) });
});

packsRoutes.get("/:name/versions/:version", validate("param", packVersionParams), async (c) => {
  const { name, version } = c.req.valid("param");
  const [detail, images] = await Promise.all([
    packVersionOrYank(c.get("catalog"), name, version),
    imagesOfPack(c.get("catalog"), name),
  ]);
  return c.json({ ...detail, images: images.get(version) ?? [] });
});
