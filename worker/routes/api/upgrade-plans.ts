// POST /api/v1/upgrade-plans: what a site runs today (a bundle spec) and a target product version
// in, the upgrade plan out (kept, upgraded, removed, installers, the grant selection of only the
// new files, and the resulting bundle spec with its links). Reads only; nothing is recorded.
import { SELECTION_BODY_BYTES, limitBody } from "../../body-limit";
import { planUpgrade, upgradePlanSchema, upgradeRequest } from "../../catalog/upgrade-plan";
import { catalogReader } from "../../db/client";
import { upgradeLinks } from "../../../web/lib/upgrade-links";
import { apiApp, apiRoute, error, json, jsonBody } from "../api-app";

export const upgradePlansRoutes = apiApp();

const planRoute = apiRoute({
  method: "post",
  path: "/",
  operationId: "planUpgrade",
  summary: "Plan a site's upgrade to a newer product version: packs kept, upgraded and removed, each with why",
  description:
    "Layer by layer (os, k8s, cni, csi, add-ons), each pack is kept if its version still fits the target, upgraded to " +
    "the newest version that fits, or removed, with the reasons from the compatibility rules (and end of life). " +
    "`download.selection` is the grant request (POST /api/v1/grants) for only the files the site does not have.",
  tags: ["catalog"],
  middleware: [limitBody(SELECTION_BODY_BYTES)] as const,
  request: { body: jsonBody(upgradeRequest) },
  responses: {
    200: json(upgradePlanSchema.openapi("UpgradePlan"), "The plan."),
    400: error("Invalid input, each field named; a target older than the site's version."),
    404: error("Unknown product or product version (current.version or targetVersion)."),
    413: error("The body is too large."),
  },
});

upgradePlansRoutes.openapi(planRoute, async (c) => {
  const plan = await planUpgrade(catalogReader(c.env), c.req.valid("json"), Date.now());
  return c.json({ ...plan, links: upgradeLinks(new URL(c.req.url).origin, plan) }, 200, {
    "Cache-Control": "no-store",
  });
});
