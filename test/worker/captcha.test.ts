// The captcha gate: every siteverify outcome of Turnstile and reCAPTCHA with the provider's HTTP
// replaced by an injected fetch, then the gate as the grant API applies it (off outside local,
// a provider outage fails closed, API tokens bypass it).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { type CaptchaProvider, createVerifier, type FetchFn, SITEVERIFY_URL } from "../../worker/captcha/siteverify";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_JSON } from "./support/studio";
import { freshRateWindow, RATE_WINDOW_TIMEOUT } from "./support/rate-window";

type Call = { url: string; form: URLSearchParams };

/** A siteverify double: records each call and answers with the given responses in turn. */
function siteverify(...answers: (Record<string, unknown> | Response | Error)[]) {
  const calls: Call[] = [];
  const fetchFn: FetchFn = async (url, init) => {
    calls.push({ url, form: new URLSearchParams(String(init.body)) });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    if (answer instanceof Response) return answer;
    return Response.json(answer);
  };
  return { calls, fetchFn };
}

const input = { token: "tok-123", hostname: "studio.example", remoteIp: "203.0.113.9", action: "download" };

describe.each<CaptchaProvider>(["turnstile", "recaptcha"])("%s siteverify", (provider) => {
  it("accepts a successful answer for this host and sends the secret, token and client IP", async () => {
    const { calls, fetchFn } = siteverify({ success: true, hostname: "studio.example", action: "download" });
    expect(await createVerifier(provider, "secret-xyz", fetchFn).verify(input)).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(SITEVERIFY_URL[provider]);
    expect(calls[0].form.get("secret")).toBe("secret-xyz");
    expect(calls[0].form.get("response")).toBe("tok-123");
    expect(calls[0].form.get("remoteip")).toBe("203.0.113.9");
    expect(calls[0].form.has("idempotency_key")).toBe(provider === "turnstile");
  });

  it.each([
    ["missing-input-response", 400, "captcha_required", /no captcha answer/],
    ["invalid-input-response", 403, "captcha_invalid", /invalid; solve the captcha again/],
    ["timeout-or-duplicate", 403, "captcha_expired", /expired or was already used/],
    ["missing-input-secret", 503, "misconfigured", /^the studio is misconfigured; the operators have been told$/],
    ["invalid-input-secret", 503, "misconfigured", /^the studio is misconfigured; the operators have been told$/],
    ["bad-request", 503, "captcha_unavailable", /retry/],
    ["internal-error", 503, "captcha_unavailable", /retry in a moment/],
    ["some-new-code", 403, "captcha_failed", /some-new-code/],
  ] as const)("maps %s to %i %s", async (code, status, errorCode, message) => {
    const { fetchFn } = siteverify({ success: false, "error-codes": [code] });
    const result = await createVerifier(provider, "s", fetchFn).verify(input);
    expect(result).toMatchObject({ ok: false, status, code: errorCode });
    expect(result.ok === false && result.message).toMatch(message);
  });

  it("refuses a token solved on another host", async () => {
    const { fetchFn } = siteverify({ success: true, hostname: "evil.example", action: "download" });
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 403,
      code: "captcha_wrong_site",
    });
  });

  it.each([
    ["ends with this host", "evilstudio.example"],
    ["is a subdomain of this host", "attacker.studio.example"],
    ["starts with this host", "studio.example.attacker.test"],
    ["is a parent domain of this host", "example"],
    ["is a suffix of this host", "o.example"],
  ])(
    "refuses a token solved on a host that %s (hostname compared exactly, mutant captcha-hostname-suffix)",
    async (_how, host) => {
      const { fetchFn } = siteverify({ success: true, hostname: host, action: "download" });
      expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
        ok: false,
        status: 403,
        code: "captcha_wrong_site",
      });
    },
  );

  it.each([
    ["null", null],
    ["a list", [{ success: true, hostname: "studio.example" }]],
    ["a number", 1],
    ["a string", "success"],
    ["an object without success", { hostname: "studio.example", action: "download" }],
    ["a non-boolean success", { success: "true", hostname: "studio.example", action: "download" }],
  ])("fails closed with 503 captcha_unavailable on %s as the answer", async (_what, answer) => {
    const { fetchFn } = siteverify(
      new Response(JSON.stringify(answer), { headers: { "Content-Type": "application/json" } }),
    );
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 503,
      code: "captcha_unavailable",
    });
  });

  it("refuses a success that does not name the host it was solved on", async () => {
    const { fetchFn } = siteverify({ success: true, action: "download" });
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 403,
      code: "captcha_wrong_site",
    });
  });

  it("refuses a failure without error codes", async () => {
    const { fetchFn } = siteverify({ success: false });
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 403,
      code: "captcha_failed",
    });
  });

  it("refuses without calling the provider when no token was sent", async () => {
    const { calls, fetchFn } = siteverify({ success: true, hostname: "studio.example" });
    expect(await createVerifier(provider, "s", fetchFn).verify({ ...input, token: undefined })).toMatchObject({
      status: 400,
      code: "captcha_required",
    });
    expect(calls).toHaveLength(0);
  });

  it("fails closed with a 503 after a network error and a retry", async () => {
    const { calls, fetchFn } = siteverify(new TypeError("network down"), new TypeError("still down"));
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 503,
      code: "captcha_unavailable",
    });
    expect(calls).toHaveLength(2);
  });

  it("fails closed on a timeout", async () => {
    const hanging: FetchFn = (_url, init) =>
      new Promise((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }),
      );
    expect(await createVerifier(provider, "s", hanging, 20).verify(input)).toMatchObject({
      ok: false,
      status: 503,
      code: "captcha_unavailable",
    });
  });

  it("fails closed on a 5xx and on an unreadable answer", async () => {
    const outage = siteverify(new Response("bad gateway", { status: 502 }));
    expect(await createVerifier(provider, "s", outage.fetchFn).verify(input)).toMatchObject({
      status: 503,
      code: "captcha_unavailable",
    });
    expect(outage.calls).toHaveLength(2);
    const garbage = siteverify(new Response("<html>", { status: 200 }));
    expect(await createVerifier(provider, "s", garbage.fetchFn).verify(input)).toMatchObject({
      status: 503,
      code: "captcha_unavailable",
    });
  });

  it("recovers on the retry after a transient failure", async () => {
    const { calls, fetchFn } = siteverify(new TypeError("blip"), {
      success: true,
      hostname: "studio.example",
      action: "download",
    });
    expect(await createVerifier(provider, "s", fetchFn).verify(input)).toEqual({ ok: true });
    expect(calls).toHaveLength(2);
    if (provider === "turnstile") {
      // The retry carries the same idempotency key, so Turnstile does not call it a duplicate.
      expect(calls[1].form.get("idempotency_key")).toBe(calls[0].form.get("idempotency_key"));
    }
  });
});

describe("turnstile action", () => {
  it("refuses a token solved for another action", async () => {
    const { fetchFn } = siteverify({ success: true, hostname: "studio.example", action: "login" });
    expect(await createVerifier("turnstile", "s", fetchFn).verify(input)).toMatchObject({
      ok: false,
      status: 403,
      code: "captcha_wrong_action",
    });
  });
});

describe("the gate on POST /api/v1/grants", () => {
  beforeAll(async () => {
    await dropRelease(env, "captcha-2026-11-0", {
      products: [PALETTE_ENTERPRISE],
      packs: [{ name: "cni-calico", version: "3.29.2", layer: "cni" }],
    });
    await syncAndSettle(env, { trigger: "admin" });
  });
  afterEach(() => vi.restoreAllMocks());

  const body = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ packs: [{ name: "cni-calico", version: "3.29.2" }], ...extra });
  const post = async (
    overrides: Record<string, string>,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("https://studio.example/api/v1/grants", {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": "192.0.2.44", ...headers },
        body: body(extra),
      }),
      { ...env, ...overrides },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };

  it("refuses to issue grants with the captcha off outside local, telling the log why and the client only misconfigured", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await post({ ENVIRONMENT: "production", CAPTCHA_PROVIDER: "off" });
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("misconfigured");
    expect(error.message).not.toMatch(/CAPTCHA|ENVIRONMENT/);
    expect(log.mock.calls.flat().join(" ")).toMatch(/CAPTCHA_PROVIDER is off/);
  });

  it("issues with a verified Turnstile token and refuses a duplicate one", async () => {
    const answers = [
      { success: true, hostname: "studio.example", action: "download" },
      { success: false, "error-codes": ["timeout-or-duplicate"] },
    ];
    const seen: URLSearchParams[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (req, init) => {
      expect(String(req)).toBe(SITEVERIFY_URL.turnstile);
      seen.push(new URLSearchParams(String(init?.body)));
      return Response.json(answers[seen.length - 1]);
    });
    const settings = {
      ENVIRONMENT: "production",
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET: "turnstile-secret",
      CAPTCHA_SITE_KEY: "site",
    };
    const ok = await post(settings, { captchaToken: "one-time" });
    expect(ok.status).toBe(201);
    expect(seen[0].get("response")).toBe("one-time");
    expect(seen[0].get("remoteip")).toBe("192.0.2.44");
    const again = await post(settings, { captchaToken: "one-time" });
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ error: { code: "captcha_expired" } });
  });

  it("refuses a Turnstile token solved for another action on this site (mutant captcha-action-dropped)", async () => {
    // A widget elsewhere on the site (a login, a newsletter form) hands out tokens for its own action.
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      Response.json({ success: true, hostname: "studio.example", action: "newsletter" }),
    );
    const settings = {
      ENVIRONMENT: "production",
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET: "s",
      CAPTCHA_SITE_KEY: "k",
    };
    const res = await post(settings, { captchaToken: "solved-for-newsletter" }, { "CF-Connecting-IP": "192.0.2.45" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "captcha_wrong_action" } });
  });

  it("rate-limits a client by its address, not by its captcha token: 21 freshly solved tokens from one IP (mutant grant-limit-by-captcha-token)", {
    timeout: RATE_WINDOW_TIMEOUT,
  }, async () => {
    // Solving captchas is cheap for a farm; each token is new, so a limit keyed by it never bites.
    const spy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => Response.json({ success: true, hostname: "studio.example", action: "download" }));
    const settings = {
      ENVIRONMENT: "production",
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET: "s",
      CAPTCHA_SITE_KEY: "k",
    };
    const statuses: number[] = [];
    await freshRateWindow();
    for (let i = 0; i < 21; i++) {
      const res = await post(settings, { captchaToken: `farm-token-${i}` }, { "CF-Connecting-IP": "192.0.2.46" });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
    expect(statuses[20]).toBe(429);
    // The limit comes before siteverify: the 21st token never reached the provider.
    expect(spy).toHaveBeenCalledTimes(20);
  });

  it("answers a reCAPTCHA outage with 503 and Retry-After, issuing nothing", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const res = await post(
      { ENVIRONMENT: "production", CAPTCHA_PROVIDER: "recaptcha", CAPTCHA_SECRET: "r", CAPTCHA_SITE_KEY: "k" },
      { captchaToken: "t" },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expect(await res.json()).toMatchObject({ error: { code: "captcha_unavailable" } });
  });

  it("names the missing secret in the log only", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await post(
      { ENVIRONMENT: "production", CAPTCHA_PROVIDER: "turnstile", CAPTCHA_SECRET: "" },
      { captchaToken: "t" },
    );
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("misconfigured");
    expect(error.message).toMatch(/^the studio is misconfigured; the operators have been told \(request id .+\)$/);
    expect(log.mock.calls.flat().join(" ")).toMatch(/CAPTCHA_SECRET is required/);
  });

  it("lets an API token with grants:create skip the captcha, and refuses one without the scope", async () => {
    const admin = ADMIN_JSON;
    const mint = async (scopes: string[]) => {
      const res = await exports.default.fetch("http://studio.test/api/v1/admin/tokens", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: `ci ${scopes}`, scopes }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; token: string };
    };
    const granted = await mint(["grants:create"]);
    const spy = vi.spyOn(globalThis, "fetch");
    const settings = {
      ENVIRONMENT: "production",
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET: "s",
      CAPTCHA_SITE_KEY: "k",
    };
    const ok = await post(settings, {}, { Authorization: `Bearer ${granted.token}` });
    expect(ok.status).toBe(201);
    expect(spy).not.toHaveBeenCalled();

    const readOnly = await mint(["manifests:read"]);
    const forbidden = await post(settings, {}, { Authorization: `Bearer ${readOnly.token}` });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toMatch(
      /lacks the grants:create scope/,
    );

    const unknown = await post(settings, {}, { Authorization: "Bearer ast_not-a-real-token" });
    expect(unknown.status).toBe(401);

    const revoke = await exports.default.fetch(`http://studio.test/api/v1/admin/tokens/${granted.id}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(revoke.status).toBe(204);
    expect((await post(settings, {}, { Authorization: `Bearer ${granted.token}` })).status).toBe(401);
  });
});
