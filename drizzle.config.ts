// drizzle-kit writes flat NNNN_name.sql files into migrations/, the folder wrangler applies.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
