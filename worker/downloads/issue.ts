// The one path every grant takes, whether it comes from the JSON API, a page's download form or an
// automation manifest: gate → resolve → record → sign; and how a grant's manifest is answered.
import { primary } from "../db/client";
import type { GrantRecord } from "../db/grant-queries";
import { config } from "../env";
import { defaultKey, keyDistrust } from "../key-status";
import type { FetchFn } from "../captcha/siteverify";
import { manifestBody } from "./grant-documents";
import {
  type GrantView,
  grantView,
  passGate,
  recordGrant,
  refuseDistrustedKeys,
  resolveSelection,
  type Selection,
  signedEntries,
} from "./granting";
import type { ManifestEntry, ManifestFormat } from "./manifest-formats";
import type { GrantFile } from "../db/grant-queries";
import { grantProofs, type ReleaseProof } from "./provenance";
import { imagesOfPackVersions } from "../db/image-index";
import type { ServeDeps } from "./serve";
import { urlSigner } from "./signers";
import { bundleListUrls, studioKeys } from "./bundle-list";
import type { TokenScope } from "./api-tokens";

/** What issuing a grant needs of the request that asked for it (routes/context.ts reads it off the request). */
export type Requester = {
  /** The studio's origin as the client reached it: signed URLs and links start with it. */
  origin: string;
  hostname: string;
  ip?: string;
  country?: string;
  userAgent?: string;
  authorization?: string;
  waitUntil: (p: Promise<unknown>) => void;
};

export type Issued = {
  grant: GrantRecord;
  capability: string;
  entries: ManifestEntry[];
  view: GrantView;
  /** The signed release manifests covering the files (they travel with every download). */
  proofs: ReleaseProof[];
};

export async function issueGrant(
  env: Env,
  requester: Requester,
  input: {
    selection: Selection | { changes: unknown };
    /** Files already resolved (the changes since a generation); otherwise the selection is resolved. */
    files?: GrantFile[];
    captchaToken?: string;
    scope: TokenScope;
    fetch?: FetchFn;
  },
): Promise<Issued> {
  const cfg = config(env);
  const writer = primary(env);
  const { ip, origin } = requester;
  const signer = urlSigner(cfg, origin); // fails on a misconfigured signer before anything is recorded
  studioKeys(cfg); // and on a missing studio key: a grant's downloads carry a list it signs
  const { tokenId } = await passGate({
    env,
    cfg,
    writer,
    authorization: requester.authorization,
    captchaToken: input.captchaToken,
    hostname: requester.hostname,
    ip,
    scope: input.scope,
    waitUntil: requester.waitUntil,
    fetch: input.fetch,
  });
  // Resolved at the primary: a pack yanked a moment ago is refused even if a replica lags.
  const files = input.files ?? (await resolveSelection(writer, input.selection as Selection));
  refuseDistrustedKeys(files, keyDistrust(cfg.TRUSTED_PUBLIC_KEYS), "the selection names");
  const { grant, capability } = await recordGrant(
    writer,
    cfg,
    input.selection,
    files,
    { ip, country: requester.country, userAgent: requester.userAgent, tokenId },
    Date.now(),
  );
  const [entries, proofs] = await Promise.all([signedEntries(grant, signer), grantProofs(writer, grant)]);
  return {
    grant,
    capability,
    entries,
    proofs,
    view: grantView(grant, capability, entries, origin, signer.strategy),
  };
}

/**
 * A grant's manifest document (body and media type). `entries` is called only for the formats that
 * list signed URLs.
 */
export async function grantManifest(
  env: Env,
  origin: string,
  deps: ServeDeps,
  format: ManifestFormat,
  grant: GrantRecord,
  entries: () => Promise<ManifestEntry[]>,
): Promise<{ body: string; contentType: string }> {
  const cfg = config(env);
  const signer = urlSigner(cfg, origin);
  return manifestBody(format, grant, entries, {
    origin,
    defaultKeyId: defaultKey(cfg.TRUSTED_PUBLIC_KEYS, Date.now()).id,
    deps,
    proofs: await grantProofs(primary(env), grant),
    sign: (file) => signer.sign(grant, file),
    list: () => bundleListUrls(cfg, origin, grant),
    images: () =>
      imagesOfPackVersions(
        primary(env),
        grant.files.flatMap((f) => (f.packVersionId ? [f.packVersionId] : [])),
      ),
  });
}
