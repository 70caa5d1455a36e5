// The one path every grant takes, whether it comes from the JSON API, a page's download form or an
// automation manifest: gate → resolve → record → sign; and how a grant's manifest is answered.
import { edgeCache } from "../edge-cache";
import type { Context } from "hono";
import { primaryWriter } from "../db/client";
import type { GrantRecord } from "../db/grants";
import { config } from "../env";
import { defaultKey } from "../keys";
import { type FetchFn } from "../captcha";
import { manifestBody } from "./bundle";
import {
  type GrantView,
  grantView,
  passGate,
  recordGrant,
  resolveSelection,
  type Selection,
  signedEntries,
} from "./grants";
import type { ManifestEntry, ManifestFormat } from "./manifests";
import { DEFAULT_MAX_CACHE_BYTES, type ServeDeps } from "./serve";
import { urlSigner } from "./signers";
import type { TokenScope } from "./tokens";

type AnyContext = Context<{ Bindings: Env }>;

export const originOf = (c: AnyContext) => new URL(c.req.url).origin;

export const clientIp = (c: AnyContext) => c.req.header("CF-Connecting-IP") ?? undefined;

export function storageDeps(c: AnyContext): ServeDeps {
  return {
    bucket: c.env.ARTIFACTS,
    cache: edgeCache(),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    maxCacheBytes: DEFAULT_MAX_CACHE_BYTES,
  };
}

export type Issued = { grant: GrantRecord; capability: string; entries: ManifestEntry[]; view: GrantView };

export async function issueGrant(
  c: AnyContext,
  input: { selection: Selection; captchaToken?: string; scope: TokenScope; fetch?: FetchFn },
): Promise<Issued> {
  const cfg = config(c.env);
  const writer = primaryWriter(c.env);
  const ip = clientIp(c);
  const signer = urlSigner(cfg, originOf(c)); // fails on a misconfigured signer before anything is recorded
  const { tokenId } = await passGate({
    env: c.env,
    cfg,
    writer,
    authorization: c.req.header("Authorization"),
    captchaToken: input.captchaToken,
    hostname: new URL(c.req.url).hostname,
    ip,
    scope: input.scope,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    fetch: input.fetch,
  });
  // Resolved at the primary: a pack yanked a moment ago is refused even if a replica lags.
  const files = await resolveSelection(writer, input.selection);
  const country = (c.req.raw.cf as { country?: string } | undefined)?.country;
  const { grant, capability } = await recordGrant(
    writer,
    cfg,
    input.selection,
    files,
    { ip, country, userAgent: c.req.header("User-Agent"), tokenId },
    Date.now(),
  );
  const entries = await signedEntries(grant, signer);
  return { grant, capability, entries, view: grantView(grant, capability, entries, originOf(c), signer.strategy) };
}

/**
 * A grant's manifest as a download. `entries` is called only for the formats that list signed URLs;
 * extraHeaders add to the common ones.
 */
export async function manifestResponse(
  c: AnyContext,
  format: ManifestFormat,
  grant: GrantRecord,
  entries: () => Promise<ManifestEntry[]>,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const { body, contentType } = await manifestBody(format, grant, entries, {
    origin: originOf(c),
    defaultKeyId: defaultKey(config(c.env).TRUSTED_PUBLIC_KEYS, Date.now()).id,
    deps: storageDeps(c),
  });
  return c.body(body, 200, {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${format}"`,
    "Cache-Control": "private, no-store",
    ...extraHeaders,
  });
}
