// (being built) the /openapi sub-app.
import { Hono } from "hono";

export const openapiRoutes = new Hono<{ Bindings: Env }>();
