// POST /api/v1/upgrade-plans: what a site runs today (a bundle spec) and a target product version
// in, the upgrade plan out (kept, upgraded, removed, installers, the grant selection of only the
// new files, and the resulting bundle spec with its links). Reads only; nothing is recorded.
import { Hono } from "hono";
import { SELECTION_BODY_BYTES, limitBody } from "../../body-limit";
import { planUpgrade, upgradePlanSchema, upgradeRequest } from "../../catalog/upgrade";
import { catalogReader } from "../../db/client";
import { registerOperations, registerSchemas } from "../../openapi";
import { validate } from "../../validate";
import { upgradeLinks } from "../../../web/lib/upgrade";

export const upgradePlansRoutes = new Hono<{ Bindings: Env }>();

upgradePlansRoutes.post("/", limitBody(SELECTION_BODY_BYTES), validate("json", upgradeRequest), async (c) => {
  const plan = await planUpgrade(catalogReader(c.env), c.req.valid("json"), Date.now());
  return c.json({ ...plan, links: upgradeLinks(new URL(c.req.url).origin, plan) }, 200, {
    "Cache-Control": "no-store",
  });
});

registerSchemas({ UpgradePlan: upgradePlanSchema });
registerOperations({
  method: "post",
  path: "/api/v1/upgrade-plans",
  operationId: "planUpgrade",
  summary: "Plan a site's upgrade to a newer product version: packs kept, upgraded and removed, each with why",
  description:
    "Layer by layer (os, k8s, cni, csi, add-ons), each pack is kept if its version still fits the target, upgraded to " +
    "the newest version that fits, or removed, with the reasons from the compatibility rules (and end of life). " +
    "`download.selection` is the grant request (POST /api/v1/grants) for only the files the site does not have.",
  tags: ["catalog"],
  body: upgradeRequest,
  responses: {
    "200": { description: "The plan.", schema: "UpgradePlan" },
    "400": { description: "Invalid input, each field named; a target older than the site's version.", schema: "Error" },
    "404": { description: "Unknown product or product version (current.version or targetVersion).", schema: "Error" },
    "413": { description: "The body is too large.", schema: "Error" },
  },
});
