// (being built) the /products sub-app.
import { Hono } from "hono";

export const productsRoutes = new Hono<{ Bindings: Env }>();
