// (being built) the /grants sub-app.
import { Hono } from "hono";

export const grantsRoutes = new Hono<{ Bindings: Env }>();
