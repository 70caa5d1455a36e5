// (being built) the /files sub-app.
import { Hono } from "hono";

export const filesRoutes = new Hono<{ Bindings: Env }>();
