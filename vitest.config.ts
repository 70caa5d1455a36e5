// Two test projects: "workerd" runs inside the Workers runtime against the real bindings (D1, R2)
// with migrations applied from migrations/; "e2e" runs in Node and drives real tools (openssl,
// curl, chromium) against the generator's output or `wrangler dev`.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Fresh signing keys each run: tests sign releases with them inside workerd; nothing is committed.
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const untrusted = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
// The studio's own keys (the bundle lists): the first signs, the second is an older one still served.
const studio = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const studioOld = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const pub = (k: typeof ec) => k.publicKey.export({ type: "spki", format: "pem" }).toString();
const priv = (k: typeof ec) => k.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

export default defineConfig({
  test: {
    // Under CI, also a JSON report, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/vitest.json" },
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ENVIRONMENT: "local",
                ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
                TRUSTED_PUBLIC_KEYS: JSON.stringify([
                  { id: "test-ec", pem: pub(ec) },
                  { id: "test-rsa", pem: pub(rsa) },
                ]),
                TEST_SIGNING_KEYS: JSON.stringify({
                  "test-ec": priv(ec),
                  "test-rsa": priv(rsa),
                  untrusted: priv(untrusted),
                }),
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                // Downloads: URL signing keys made per run (the second still verifies: rotation),
                // captcha off as under `npm start`; captcha tests inject their own settings.
                CAPTCHA_PROVIDER: "off",
                STUDIO_SIGNING_KEYS: JSON.stringify([
                  { id: "studio-2", privateKey: priv(studio) },
                  { id: "studio-1", privateKey: priv(studioOld) },
                ]),
                DOWNLOAD_SIGNER: "worker",
                DOWNLOAD_SIGNING_KEYS: JSON.stringify([
                  { id: "k2", secret: randomBytes(32).toString("base64") },
                  { id: "k1", secret: randomBytes(32).toString("base64") },
                ]),
              },
            },
          })),
        ],
        test: {
          name: "workerd",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["./test/worker/apply-migrations.ts", "./test/worker/contract-setup.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // One local studio (wrangler dev + the demo catalog, synced) for every e2e test file.
          globalSetup: ["./test/e2e/global-setup.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
