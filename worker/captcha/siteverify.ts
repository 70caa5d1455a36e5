// The captcha gate in front of grant issuance: Turnstile or reCAPTCHA v2 behind one interface,
// chosen by CAPTCHA_PROVIDER. Verification is server-side siteverify with the secret; it fails
// closed (503, retry) when the provider cannot be reached, and every outcome has a clear message.
import { z } from "zod";
import type { Config } from "../env";
import { ConfigError } from "../env";
import { MISCONFIGURED_MESSAGE } from "../errors";

export type CaptchaProvider = "turnstile" | "recaptcha";

export type CaptchaFailure = { ok: false; status: 400 | 403 | 503; code: string; message: string };
export type CaptchaResult = { ok: true } | CaptchaFailure;

export type CaptchaInput = {
  token: string | undefined;
  /** The host the page was served from; the provider must report the same. */
  hostname: string;
  remoteIp?: string;
  /** Turnstile only: the action the widget declared. */
  action?: string;
};

export interface CaptchaVerifier {
  readonly provider: CaptchaProvider;
  verify(input: CaptchaInput): Promise<CaptchaResult>;
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export const SITEVERIFY_URL: Record<CaptchaProvider, string> = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
  recaptcha: "https://www.google.com/recaptcha/api/siteverify",
};

/** The action the /download page's widget declares and siteverify must echo. */
export const CAPTCHA_ACTION = "download";

const TIMEOUT_MS = 5000;

/**
 * The siteverify answer we act on. Anything else (null, a list, an object without a boolean
 * success) is not an answer: the gate stays closed with captcha_unavailable.
 */
const siteverifyBody = z.object({
  success: z.boolean(),
  "error-codes": z.array(z.string()).optional(),
  hostname: z.string().optional(),
  action: z.string().optional(),
});
type SiteverifyBody = z.infer<typeof siteverifyBody>;

const fail = (status: CaptchaFailure["status"], code: string, message: string): CaptchaFailure => ({
  ok: false,
  status,
  code,
  message,
});

export const unavailable = () =>
  fail(
    503,
    "captcha_unavailable",
    "The captcha service could not be reached to check your answer. Nothing was issued; retry in a moment.",
  );

/** Every siteverify error code of both providers, as something a user or operator can act on. */
function failureForErrorCode(code: string): CaptchaFailure {
  switch (code) {
    case "missing-input-response":
      return fail(400, "captcha_required", "Solve the captcha first: no captcha answer was sent.");
    case "invalid-input-response":
      return fail(403, "captcha_invalid", "The captcha answer is invalid; solve the captcha again.");
    case "timeout-or-duplicate":
      return fail(
        403,
        "captcha_expired",
        "The captcha answer has expired or was already used; solve the captcha again.",
      );
    case "missing-input-secret":
    case "invalid-input-secret":
      // The operator's problem: the log says which, the client only that it is misconfigured.
      console.error(`worker misconfigured: siteverify answered ${code}; check CAPTCHA_SECRET`);
      return fail(503, "misconfigured", MISCONFIGURED_MESSAGE);
    case "bad-request":
      return fail(
        503,
        "captcha_unavailable",
        "The captcha check was refused as malformed (bad-request). Nothing was issued; retry, and report it if it persists.",
      );
    case "internal-error":
      return unavailable();
    default:
      return fail(403, "captcha_failed", `The captcha check failed (${code}); solve the captcha again.`);
  }
}

/** Interprets a siteverify answer; pure, its outcomes tested through createVerifier with a fake fetch. */
function judgeSiteverify(provider: CaptchaProvider, body: SiteverifyBody, input: CaptchaInput): CaptchaResult {
  if (body.success !== true) {
    const codes = body["error-codes"] ?? [];
    return codes.length
      ? failureForErrorCode(codes[0])
      : fail(403, "captcha_failed", "The captcha check failed; solve the captcha again.");
  }
  // A success must name the host it was solved on; a missing hostname is refused like a wrong one.
  if (!body.hostname || body.hostname !== input.hostname) {
    return fail(
      403,
      "captcha_wrong_site",
      `The captcha was solved on ${body.hostname ?? "an unknown host"}, not ${input.hostname}; solve it on this site.`,
    );
  }
  if (provider === "turnstile" && input.action !== undefined && body.action !== input.action) {
    return fail(
      403,
      "captcha_wrong_action",
      `The captcha was solved for "${body.action ?? ""}", not "${input.action}"; solve it again on the download page.`,
    );
  }
  return { ok: true };
}

/**
 * A verifier over an injected fetch. One retry on a network failure, timeout or 5xx; Turnstile gets
 * the same idempotency_key both times so the retry is not refused as a duplicate.
 */
export function createVerifier(
  provider: CaptchaProvider,
  secret: string,
  fetchFn: FetchFn,
  timeoutMs = TIMEOUT_MS,
): CaptchaVerifier {
  return {
    provider,
    async verify(input) {
      if (!input.token) return failureForErrorCode("missing-input-response");
      const form = new URLSearchParams({ secret, response: input.token });
      if (input.remoteIp) form.set("remoteip", input.remoteIp);
      if (provider === "turnstile") form.set("idempotency_key", crypto.randomUUID());
      for (let attempt = 1; attempt <= 2; attempt++) {
        let res: Response;
        try {
          res = await fetchFn(SITEVERIFY_URL[provider], {
            method: "POST",
            body: form.toString(),
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch {
          continue;
        }
        if (res.status >= 500) {
          await res.body?.cancel();
          continue;
        }
        if (!res.ok) {
          await res.body?.cancel();
          return unavailable();
        }
        let json: unknown;
        try {
          json = await res.json();
        } catch {
          return unavailable();
        }
        const body = siteverifyBody.safeParse(json);
        return body.success ? judgeSiteverify(provider, body.data, input) : unavailable();
      }
      return unavailable();
    },
  };
}

/** The configured verifier, or null when the gate is off (refused outside local; see grantGate). */
export function captchaFromConfig(cfg: Config, fetchFn: FetchFn = (u, i) => fetch(u, i)): CaptchaVerifier | null {
  if (cfg.CAPTCHA_PROVIDER === "off") return null;
  if (!cfg.CAPTCHA_SECRET)
    throw new ConfigError(
      `worker misconfigured: CAPTCHA_SECRET is required when CAPTCHA_PROVIDER is ${cfg.CAPTCHA_PROVIDER}`,
    );
  return createVerifier(cfg.CAPTCHA_PROVIDER, cfg.CAPTCHA_SECRET, fetchFn);
}

/** The widget the page embeds, or null when the gate is off. */
export function captchaWidget(cfg: Config): { provider: CaptchaProvider; siteKey: string; scriptUrl: string } | null {
  if (cfg.CAPTCHA_PROVIDER === "off") return null;
  if (!cfg.CAPTCHA_SITE_KEY)
    throw new ConfigError(
      `worker misconfigured: CAPTCHA_SITE_KEY is required when CAPTCHA_PROVIDER is ${cfg.CAPTCHA_PROVIDER}`,
    );
  return cfg.CAPTCHA_PROVIDER === "turnstile"
    ? {
        provider: "turnstile",
        siteKey: cfg.CAPTCHA_SITE_KEY,
        scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js",
      }
    : { provider: "recaptcha", siteKey: cfg.CAPTCHA_SITE_KEY, scriptUrl: "https://www.google.com/recaptcha/api.js" };
}

/** CSP sources the configured widget needs; none when the gate is off. */
export function captchaCspSources(provider: Config["CAPTCHA_PROVIDER"]): { script: string[]; frame: string[] } {
  if (provider === "turnstile")
    return { script: ["https://challenges.cloudflare.com"], frame: ["https://challenges.cloudflare.com"] };
  if (provider === "recaptcha")
    return {
      script: ["https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/"],
      frame: ["https://www.google.com/recaptcha/"],
    };
  return { script: [], frame: [] };
}
