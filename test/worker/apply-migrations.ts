// Setup for every workerd test file: the same migrations wrangler applies, applied to the test D1.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
