// The server side of the download forms the Confirm step, the Browse packs page and the install
// page carry: the captcha widget those pages render, and the POST back to the same page that
// issues the grant (captcha, rate limit, audit, signed URLs) and gives the page what it shows:
// the grant's links and URLs, or why nothing was issued.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { CAPTCHA_ACTION, captchaWidget } from "../captcha/siteverify";
import { bundleListSizes } from "../downloads/bundle-list";
import { grantTarLength, tarFolder } from "../downloads/grant-documents";
import type { Selection } from "../downloads/granting";
import { issueGrant } from "../downloads/issue";
import { requesterOf } from "./context";
import { urlsTxt } from "../downloads/manifest-formats";
import { config, ConfigError } from "../env";
import { ApiError } from "../errors";
import type { CaptchaView, DownloadOutcome } from "../../web/components/download-controls";
import { parseForm } from "./html";

// Any page sub-app posts here, whatever variables it sets.
// biome-ignore lint/suspicious/noExplicitAny: the variables differ per sub-app and are not used here
type AnyContext = Context<any>;

/** The widget the pages embed; a misconfigured captcha disables the buttons rather than the page. */
export function captchaView(env: Env): CaptchaView {
  try {
    const cfg = config(env);
    const widget = captchaWidget(cfg);
    if (!widget) return { provider: "off", local: cfg.ENVIRONMENT === "local" };
    return { ...widget, action: CAPTCHA_ACTION };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return { provider: "misconfigured" };
  }
}

/** A form body's string fields (a download form carries no files). */
export async function formFields(c: AnyContext): Promise<Record<string, string>> {
  const body = await parseForm(c);
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
}

export type PostedDownload = {
  outcome: DownloadOutcome;
  status: ContentfulStatusCode;
  headers: Record<string, string>;
};

/** Issues the grant a download form asked for; a refusal is the page's to show, with its status. */
export async function postDownload(
  c: AnyContext,
  selection: Selection,
  fields: Record<string, string>,
): Promise<PostedDownload> {
  const headers = { "Cache-Control": "no-store" };
  try {
    const { grant, entries, view, proofs } = await issueGrant(c.env, requesterOf(c), {
      selection,
      captchaToken: fields["cf-turnstile-response"] || fields["g-recaptcha-response"] || undefined,
      scope: "grants:create",
    });
    const { "bundle.tar": tarUrl, ...manifests } = view.links;
    return {
      status: 200,
      headers,
      outcome: {
        result: {
          grantId: grant.id,
          expiresAt: view.expiresAt,
          files: entries.map(({ kind, file, url, sigFile, sigUrl, size, sigSize }) => ({
            kind,
            file,
            url,
            sigFile,
            sigUrl,
            size,
            sigSize,
          })),
          urls: urlsTxt(entries),
          tar: {
            url: tarUrl,
            size: grantTarLength({
              grant,
              keys: config(c.env).TRUSTED_PUBLIC_KEYS,
              proofs,
              studio: bundleListSizes(config(c.env), grant, proofs),
            }),
            folder: tarFolder(grant),
          },
          manifests: Object.entries(manifests).map(([name, url]) => ({ name, url })),
          curlCommand: `curl -fsS -o bundle.curl '${manifests["bundle.curl"]}' && curl --parallel --fail --remote-time -K bundle.curl`,
        },
      },
    };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return {
      status: err.status,
      headers: { ...headers, ...err.headers },
      outcome: { error: err.message },
    };
  }
}

/** The page a download form posted to, rendered with what the POST gave; never cached. */
export function postedPage(c: AnyContext, tree: VNode, posted: PostedDownload): Response {
  return c.render(tree, { status: posted.status, headers: posted.headers });
}
