// Bindings come typed from `wrangler types` (worker-configuration.d.ts). String configuration is
// parsed here, once per isolate, so a misconfigured deployment fails loudly with the variable named.
import { z } from "zod";

const trustedKey = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "key ids are 1-64 of [A-Za-z0-9._-]"),
  pem: z.string().includes("-----BEGIN PUBLIC KEY-----", { message: "must be a PEM SubjectPublicKeyInfo" }),
});

const configSchema = z.object({
  /** "local" only under `npm start`/tests (from .dev.vars); everything unsafe is refused elsewhere. */
  ENVIRONMENT: z.enum(["local", "production"]).default("production"),
  /** Bearer token for /api/v1/admin; a wrangler secret. */
  ADMIN_TOKEN: z.string().min(24, "ADMIN_TOKEN must be at least 24 characters"),
  /** JSON list of the public keys releases may be signed with; the first is the default key. */
  TRUSTED_PUBLIC_KEYS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "TRUSTED_PUBLIC_KEYS must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.array(trustedKey).min(1, "TRUSTED_PUBLIC_KEYS needs at least one key")),
});

export type Config = z.infer<typeof configSchema>;
export type TrustedKey = z.infer<typeof trustedKey>;

export class ConfigError extends Error {}

const parsed = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let cfg = parsed.get(env);
  if (!cfg) {
    const result = configSchema.safeParse(env);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
      throw new ConfigError(`worker misconfigured: ${problems.join("; ")}`);
    }
    cfg = result.data;
    parsed.set(env, cfg);
  }
  return cfg;
}
