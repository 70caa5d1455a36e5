// (being built) the /packs sub-app.
import { Hono } from "hono";

export const packsRoutes = new Hono<{ Bindings: Env }>();
