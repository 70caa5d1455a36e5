// The one path every grant takes, whether it comes from the JSON API, a page's download form or an
// automation manifest: gate → resolve → record → sign; and how a grant's manifest is answered.
import { edgeCache } from "../edge-cache";
import type { Context } from "hono";
import { latestStateReader, primaryWriter } from "../db/client";
import type { GrantRecord } from "../db/grants";
import { config } from "../env";
import { defaultKey } from "../keys";
import type { FetchFn } from "../captcha";
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
import type { GrantFile } from "../db/grants";
import { grantProofs, type ReleaseProof } from "./provenance";
import { imagesOfPackVersions } from "../db/images";
import { DEFAULT_MAX_CACHE_BYTES, type ServeDeps } from "./serve";
import { urlSigner } from "./signers";
import { bundleListUrls, studioKeys } from "./bundle-list";
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

export type Issued = {
  grant: GrantRecord;
  capability: string;
  entries: ManifestEntry[];
  view: GrantView;
  /** The signed release manifests covering the files (they travel with every download). */
  proofs: ReleaseProof[];
};

export async function issueGrant(
  c: AnyContext,
  input: {
    selection: Selection | { changes: unknown };
    /** Files already resolved (the changes since a generation); otherwise the selection is resolved. */
    files?: GrantFile[];
    captchaToken?: string;
    scope: TokenScope;
    fetch?: FetchFn;
  },
): Promise<Issued> {
  const cfg = config(c.env);
  const writer = primaryWriter(c.env);
  const ip = clientIp(c);
  const signer = urlSigner(cfg, originOf(c)); // fails on a misconfigured signer before anything is recorded
  studioKeys(cfg); // and on a missing studio key: a grant's downloads carry a list it signs
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
  const files = input.files ?? (await resolveSelection(writer, input.selection as Selection));
  const country = (c.req.raw.cf as { country?: string } | undefined)?.country;
  const { grant, capability } = await recordGrant(
    writer,
    cfg,
    input.selection,
    files,
    { ip, country, userAgent: c.req.header("User-Agent"), tokenId },
    Date.now(),
  );
  const [entries, proofs] = await Promise.all([signedEntries(grant, signer), grantProofs(writer, grant)]);
  return {
    grant,
    capability,
    entries,
    proofs,
    view: grantView(grant, capability, entries, originOf(c), signer.strategy),
  };
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
  const signer = urlSigner(config(c.env), originOf(c));
  const { body, contentType } = await manifestBody(format, grant, entries, {
    origin: originOf(c),
    defaultKeyId: defaultKey(config(c.env).TRUSTED_PUBLIC_KEYS, Date.now()).id,
    deps: storageDeps(c),
    proofs: await grantProofs(latestStateReader(c.env), grant),
    sign: (file) => signer.sign(grant, file),
    list: () => bundleListUrls(config(c.env), originOf(c), grant),
    images: () =>
      imagesOfPackVersions(
        latestStateReader(c.env),
        grant.files.flatMap((f) => (f.packVersionId ? [f.packVersionId] : [])),
      ),
  });
  return c.body(body, 200, {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${format}"`,
    "Cache-Control": "private, no-store",
    ...extraHeaders,
  });
}
