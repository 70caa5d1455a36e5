// (being built) the /compatible sub-app.
import { Hono } from "hono";

export const compatibleRoutes = new Hono<{ Bindings: Env }>();
