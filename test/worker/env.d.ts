// Bindings that only the test configuration (vitest.config.ts) provides.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** JSON {keyId: PKCS#8 PEM} of private keys generated for this test run. */
    TEST_SIGNING_KEYS: string;
  }
}

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../../worker/index");
  }
}
