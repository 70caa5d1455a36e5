// /api/v1/packs: browse (filters, search, facets, cursor pages) and the detail of a pack or version.
import { packSchema, packSearchSchema, packVersionDetailSchema } from "../../catalog/response-schemas";
import { packFilters, packParams, packVersionParams } from "../../catalog/filters";
import { type CatalogVariables, catalogEtag } from "../../catalog/generation";
import { searchPacks } from "../../catalog/pack-search";
import { packVersionOrYank, packWithYanks, yankedVersion } from "../../catalog/yanks";
import { imagesOfPack } from "../../db/image-index";
import { apiApp, apiRoute, catalogOk, conditional, error, notModified } from "../api-app";

export const packsRoutes = apiApp<{ Bindings: Env; Variables: CatalogVariables }>();

packsRoutes.use(catalogEtag);

const searchRoute = apiRoute({
  method: "get",
  path: "/",
  operationId: "searchPacks",
  summary: "Browse packs: filters, full-text search, facet counts, cursor pages",
  description:
    "Packs in display order: by display name ignoring case and accents (NFKD, marks dropped, case-folded), then by " +
    "name, so the order is total and cursor pages visit each pack once. Each pack has the versions that match every " +
    "filter (newest first). Facets count the matching " +
    "packs per value of each filter, applying all other active filters, so a client can show what picking a value gives.",
  tags: ["catalog"],
  request: { query: packFilters, headers: conditional },
  responses: { 200: catalogOk(packSearchSchema.openapi("PackSearch"), "A page of packs."), 304: notModified },
});

packsRoutes.openapi(searchRoute, async (c) => c.json(await searchPacks(c.get("catalog"), c.req.valid("query")), 200));

const packRoute = apiRoute({
  method: "get",
  path: "/{name}",
  operationId: "getPack",
  summary: "A pack with every published version",
  tags: ["catalog"],
  request: { params: packParams, headers: conditional },
  responses: {
    200: catalogOk(packSchema.openapi("Pack"), "The pack."),
    304: notModified,
    404: error("No such pack."),
    410: error("Every version of the pack was yanked: when and why in the message and details."),
  },
});

// Each version lists the container images it ships (from its signed release manifest); yanked
// versions are listed apart with when and why, and a pack or version that is only yanked is a 410 saying so.
packsRoutes.openapi(packRoute, async (c) => {
  const { name } = c.req.valid("param");
  const [{ yanked, ...pack }, images] = await Promise.all([
    packWithYanks(c.get("catalog"), name),
    imagesOfPack(c.get("catalog"), name),
  ]);
  const versions = pack.versions.map((v) => ({ ...v, images: images.get(v.version) ?? [] }));
  return c.json({ ...pack, versions, yanked: yanked.map(yankedVersion) }, 200);
});

const versionRoute = apiRoute({
  method: "get",
  path: "/{name}/versions/{version}",
  operationId: "getPackVersion",
  summary: "One pack version: arches, FIPS, clouds, product ranges, use cases, dependencies, file, checksum, signature",
  tags: ["catalog"],
  request: { params: packVersionParams, headers: conditional },
  responses: {
    200: catalogOk(packVersionDetailSchema.openapi("PackVersionDetail"), "The pack version."),
    304: notModified,
    404: error("No such pack version."),
    410: error("The version was yanked: when and why in the message and details."),
  },
});

packsRoutes.openapi(versionRoute, async (c) => {
  const { name, version } = c.req.valid("param");
  const [detail, images] = await Promise.all([
    packVersionOrYank(c.get("catalog"), name, version),
    imagesOfPack(c.get("catalog"), name),
  ]);
  return c.json({ ...detail, images: images.get(version) ?? [] }, 200);
});
