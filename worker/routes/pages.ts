// (being built) the /pages sub-app.
import { Hono } from "hono";

export const pagesRoutes = new Hono<{ Bindings: Env }>();
