// Hand-made mutation testing of the guards: each mutant is one realistic bug (an exact string
// replace in one file), applied to a scratch copy of the repository, and its listed workerd test
// files must fail on it. StrykerJS 10.1's vitest runner does work with the workerd pool (its mutant
// switch is a global read inside the isolate), but it makes every mechanical mutant: 143 for the 54
// lines of http-range.ts, 12 minutes on this machine, so hours for worker/downloads, worker/sync and
// worker/captcha; and it cannot mutate the SQL migrations. These are the bugs that would hurt.
//
//   npm run mutants                       # the working tree (committed or not), every mutant
//   npm run mutants -- --ref main         # the same mutants on the code and tests of a commit
//   npm run mutants -- --before           # the score before the release-trust round (e527ebc)
//   npm run mutants -- --only grant-ttl-ms,tar-8gib --check   # --check: only see that each applies
//
// One line per mutant (killed, survived, timeout: a test or the run timed out, which proves nothing
// on a loaded machine, so re-run it with --only; stale: its text no longer matches exactly once, n/a:
// the guard did not exist before the round), the score killed/total, and a final JSON line. The live
// worktree is never touched: the copy lives in a temporary directory with node_modules symlinked.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

type Variant = { file?: string; find: string; replace: string; tests?: string[] };

type Mutant = {
  id: string;
  /** The bug this models, and the guard that should catch it. */
  bug: string;
  file: string;
  find: string;
  replace: string;
  /**
   * Test files that must fail on it: workerd ones, or e2e ones (test/e2e/, for what only real tools
   * can show, such as a served shell script; each e2e run boots a local studio: minutes).
   */
  tests: string[];
  /**
   * With --before (the tree at BEFORE_REF): "n/a" when the guard did not exist then; a variant when
   * the code read differently (same bug, other text or other tests). Without it, the same are used.
   */
  before?: "n/a" | Variant;
  /** Why a mutant is known to survive (printed with it): equivalent, or a guard that cannot work. */
  survives?: string;
};

const T = (name: string) => `test/worker/${name}.test.ts`;

export const MUTANTS: Mutant[] = [
  // ── signing (worker/downloads/signers.ts) ──────────────────────────────────────────────────────
  {
    id: "sig-method-unsigned",
    bug: "the HMAC no longer covers the method: a GET URL also authorises DELETE or PUT",
    file: "worker/downloads/signers.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: '${method === "HEAD" ? "GET" : method}\\n',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: '${"GET"}\\n',
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "sig-expiry-unchecked",
    bug: "parseSignedQuery forgets the expiry: an expired /dl URL still downloads",
    file: "worker/downloads/signers.ts",
    find: "if (Number(exp) * 1000 <= nowMs)",
    replace: "if (Number(exp) * 1000 <= 0)",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "sig-r2-plus-spaces",
    bug: "R2 presigned URLs keep aws4fetch's '+' for spaces while the signature covers %20",
    file: "worker/downloads/signers.ts",
    find: "return withSigV4Query(new URL(signed.url));",
    replace: "return signed.url;",
    tests: [T("downloads-signing")],
    before: "n/a",
  },
  // ── ranges (worker/downloads/http-range.ts) ────────────────────────────────────────────────────
  {
    id: "range-if-range-exact-date",
    bug: "If-Range with exactly the Last-Modified no longer applies the Range",
    file: "worker/downloads/http-range.ts",
    find: "Math.floor(lastModifiedMs / 1000) * 1000 === date",
    replace: "Math.floor(lastModifiedMs / 1000) * 1000 < date",
    tests: [T("downloads-signing"), T("downloads")],
    before: {
      find: "Math.floor(lastModifiedMs / 1000) * 1000 <= date",
      replace: "Math.floor(lastModifiedMs / 1000) * 1000 < date",
    },
  },
  {
    id: "range-if-range-later-date",
    bug: "If-Range accepts any date after the Last-Modified (the client may hold another version)",
    file: "worker/downloads/http-range.ts",
    find: "Math.floor(lastModifiedMs / 1000) * 1000 === date",
    replace: "Math.floor(lastModifiedMs / 1000) * 1000 <= date",
    tests: [T("downloads-signing"), T("downloads")],
    before: "n/a", // this was the code at e527ebc
  },
  {
    id: "range-weak-inm",
    bug: 'If-None-Match: W/"<sha256>" (the weak form) no longer matches, so a current client downloads again',
    file: "worker/downloads/http-range.ts",
    find: '.replace(/^W\\//, "")',
    replace: "",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "range-start-at-size",
    bug: "a Range starting at the file size is served as an empty 206 instead of 416",
    file: "worker/downloads/http-range.ts",
    find: "if (start >= size) return",
    replace: "if (start > size) return",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "range-ims-overrides-inm",
    bug: "If-Modified-Since is consulted when If-None-Match does not match",
    file: "worker/downloads/http-range.ts",
    find: 'if (inm !== null) return inm.trim() === "*" || etagList(inm).includes(etag);',
    replace: 'if (inm !== null && (inm.trim() === "*" || etagList(inm).includes(etag))) return true;',
    tests: [T("downloads-signing"), T("downloads")],
  },
  // ── captcha (worker/captcha/siteverify.ts) ──────────────────────────────────────────────────────────
  {
    id: "captcha-success-optional",
    bug: "a siteverify answer without `success` is judged instead of failing closed (503 captcha_unavailable)",
    file: "worker/captcha/siteverify.ts",
    find: "success: z.boolean(),",
    replace: "success: z.boolean().optional(),",
    tests: [T("captcha")],
    before: { find: "if (body.success !== true) {", replace: "if (body.success === false) {" },
  },
  {
    id: "captcha-hostname-optional",
    bug: "`success: true` without a hostname is accepted",
    file: "worker/captcha/siteverify.ts",
    find: "if (!body.hostname || body.hostname !== input.hostname) {",
    replace: "if (body.hostname !== undefined && body.hostname !== input.hostname) {",
    tests: [T("captcha")],
    before: {
      find: "if (body.hostname !== input.hostname) {",
      replace: "if (body.hostname !== undefined && body.hostname !== input.hostname) {",
    },
  },
  {
    id: "captcha-null-answer",
    bug: "a null or non-object siteverify answer is judged as a failure (403) instead of 503 captcha_unavailable",
    file: "worker/captcha/siteverify.ts",
    find: "return body.success ? judgeSiteverify(provider, body.data, input) : unavailable();",
    replace: "return judgeSiteverify(provider, (json ?? {}) as SiteverifyBody, input);",
    tests: [T("captcha")],
    before: "n/a",
  },
  {
    id: "captcha-action-unchecked",
    bug: "Turnstile's action is not compared: a token solved for another action opens a grant",
    file: "worker/captcha/siteverify.ts",
    find: 'provider === "turnstile" && input.action !== undefined && body.action !== input.action',
    replace: 'provider === "turnstile" && input.action === undefined && body.action !== input.action',
    tests: [T("captcha")],
  },
  // ── grants (worker/downloads/granting.ts, worker/db/grant-queries.ts, client-key.ts) ────────────────────
  {
    id: "grant-expiry-unchecked",
    bug: "loadLiveGrant without its expiry check: bundle.tar and urls.txt of an expired grant are served",
    file: "worker/downloads/granting.ts",
    find: "if (grant.expiresAt <= now)",
    replace: "if (grant.expiresAt <= 0)",
    tests: [T("grant-guards")],
    before: {
      find: "if (grant.expiresAt <= now)",
      replace: "if (grant.expiresAt <= 0)",
      tests: [T("tar"), T("manifests")],
    },
  },
  {
    id: "grant-yank-unchecked",
    bug: "loadLiveGrant without its yanked-since check: a grant's documents outlive a yank",
    file: "worker/downloads/granting.ts",
    find: "if (drift.yanked.length)",
    replace: "if (false)",
    tests: [T("grant-guards"), T("read-your-writes")],
    before: {
      find: "grant.files.flatMap((f) => (f.packVersionId ? [f.packVersionId] : []))",
      replace: "[]",
      tests: [T("tar"), T("manifests")],
    },
  },
  {
    id: "grant-revoked-unchecked",
    bug: "loadLiveGrant without its revocation check: a revoked grant's tar and manifests are served",
    file: "worker/downloads/granting.ts",
    find: "if (grant.revoked) throw",
    replace: "if (grant.revoked && false) throw",
    tests: [T("tar"), T("read-your-writes")],
    before: { find: "if (grant.revoked) throw", replace: "if (grant.revoked && false) throw", tests: [T("tar")] },
  },
  {
    id: "grant-ttl-ms",
    bug: "the grant TTL is applied in milliseconds instead of seconds",
    file: "worker/downloads/granting.ts",
    find: "expiresAt: now + cfg.GRANT_TTL_SECONDS * 1000,",
    replace: "expiresAt: now + cfg.GRANT_TTL_SECONDS,",
    tests: [T("grant-guards")],
    before: {
      find: "expiresAt: now + cfg.GRANT_TTL_SECONDS * 1000,",
      replace: "expiresAt: now + cfg.GRANT_TTL_SECONDS,",
      tests: [T("grants"), T("downloads")],
    },
  },
  {
    id: "grant-token-unlimited",
    bug: "API-token clients are never rate-limited",
    file: "worker/downloads/granting.ts",
    find: "if (!success)",
    replace: "if (!success && !principal)",
    tests: [T("grants")],
  },
  {
    id: "grant-ipv6-per-address",
    bug: "IPv6 clients are rate-limited per address instead of per /64",
    file: "worker/downloads/client-key.ts",
    find: ".slice(0, 4)",
    replace: ".slice(0, 8)",
    tests: [T("grants")],
    before: "n/a",
  },
  {
    id: "grant-yanked-installer-granted",
    bug: "a yanked installer is still handed out in new grants",
    file: "worker/db/grant-queries.ts",
    find: ".filter((r) => !r.yanked)",
    replace: ".filter(() => true)",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "grant-capability-by-id",
    bug: "the public grant id (shown in every /dl URL) opens the grant's JSON, manifests and tar",
    file: "worker/downloads/granting.ts",
    find: "GRANT_CAPABILITY.test(capability) ? getGrantByCapabilityHash(db, await sha256OfText(capability)) : undefined;",
    replace:
      "GRANT_CAPABILITY.test(capability) ? getGrantByCapabilityHash(db, await sha256OfText(capability)) : findGrant(db, capability);",
    tests: [T("manifests")],
    before: "n/a",
  },
  // ── the sync: signatures, keys, manifests (worker/sync, worker/key-status.ts, worker/env.ts) ──────────
  {
    id: "verify-catch-true",
    bug: "verifyBytes' catch returns true: a corrupt trusted PEM or a malformed manifest signature verifies anything",
    file: "worker/sync/signatures.ts",
    find: "signature.byteLength));\n  } catch {\n    return false;",
    replace: "signature.byteLength));\n  } catch {\n    return true;",
    tests: [T("release-trust"), T("sync-quarantine")],
    before: {
      find: "simply does not verify.\n    return false;",
      replace: "simply does not verify.\n    return true;",
      tests: [T("sync-quarantine"), T("sync")],
    },
  },
  {
    id: "verify-digest-catch-true",
    bug: "verifyDigest's catch returns true: a file signature that is not well-formed DER verifies",
    file: "worker/sync/signatures.ts",
    find: "verifies nothing.\n    return false;",
    replace: "verifies nothing.\n    return true;",
    tests: [T("release-trust"), T("sync-quarantine"), T("sync")],
    before: "n/a",
  },
  {
    id: "rsa-digest-not-compared",
    bug: "an RSA signature is accepted when its padding is valid, without comparing the signed digest",
    file: "worker/sync/signatures.ts",
    find: "recovered.length === expected.length && timingSafeEqual(recovered, expected)",
    replace: "recovered.length === expected.length",
    // sync-quarantine's bad RSA signature is by another key, so its padding already fails;
    // mutant-guards swaps two genuine signatures of the release.
    tests: [T("sync-quarantine"), T("sync"), T("mutant-guards")],
    before: "n/a",
  },
  {
    id: "env-corrupt-pem-accepted",
    bug: "a trusted key that does not parse is accepted at configuration time",
    file: "worker/env.ts",
    find: "if (problem) ctx.addIssue(",
    replace: "if (problem && false) ctx.addIssue(",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "manifest-expiry-unchecked",
    bug: "a signed release.json past its expiresAt is ingested: a pulled release re-dropped later is published",
    file: "worker/sync/release-manifest.ts",
    find: "if (expiresAt <= now) return",
    replace: "if (expiresAt <= now && false) return",
    tests: [T("sync-quarantine")],
    before: "n/a",
  },
  {
    id: "grant-installer-yank-unchecked",
    bug: "a yanked installer still streams through bundle.tar, its parts and manifests; only /dl refuses it",
    file: "worker/db/grant-queries.ts",
    find: "if (!row || row.yanked)\n",
    replace: 'if (!row || (row.yanked && f.kind === "pack"))\n',
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "quarantine-requeue-budget",
    bug: "a re-queued quarantined release keeps its spent poison budget and is given up at once",
    file: "worker/sync/run.ts",
    find: "claim.attempts - claim.retriedAtAttempt > MAX_ATTEMPTS",
    replace: "claim.attempts > MAX_ATTEMPTS",
    tests: [T("sync-workflow")],
    before: "n/a",
  },
  {
    id: "manifest-signature-skipped",
    bug: "release.json's signature is not checked: any manifest is believed under the first trusted key",
    file: "worker/sync/release-checks.ts",
    find: "const signer = keys.find((k) => verifyBytes(bytes, signatureBytes, k.pem));",
    replace: "const signer = keys.find((k) => verifyBytes(bytes, signatureBytes, k.pem)) ?? keys[0];",
    tests: [T("release-trust"), T("sync-quarantine")],
    before: "n/a",
  },
  {
    id: "manifest-folder-unchecked",
    bug: "the releaseId-vs-folder check is removed: a signed manifest replayed under another folder is published",
    file: "worker/sync/release-checks.ts",
    find: "if (release.releaseId !== releaseId) {",
    replace: "if (release.releaseId !== releaseId && false) {",
    tests: [T("release-trust"), T("sync-quarantine")],
    before: {
      file: "worker/sync/run.ts",
      find: "if (release.releaseId !== releaseId) {",
      replace: "if (release.releaseId !== releaseId && false) {",
      tests: [T("sync-quarantine")],
    },
  },
  {
    id: "manifest-keyid-unchecked",
    bug: "the manifest may name another key than the one that signed it",
    file: "worker/sync/release-checks.ts",
    find: "if (release.keyId !== signerId) {",
    replace: "if (release.keyId !== signerId && false) {",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "key-revoked-accepted",
    bug: "a revoked key still counts as current",
    file: "worker/key-status.ts",
    find: 'if (key.revoked) return "revoked";',
    replace: "",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "key-expiry-seconds",
    bug: "notAfter compared with the clock in seconds: an expired key stays current",
    file: "worker/key-status.ts",
    find: "Date.parse(key.notAfter) < now",
    replace: "Date.parse(key.notAfter) < now / 1000",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "product-create-overwrites",
    bug: 'a "create" entry for an existing product overwrites it (flips Palette VerteX\'s FIPS flag)',
    file: "worker/sync/plan.ts",
    find: 'if (entry.change === "update") {',
    replace: 'if (entry.change === "update" || existing) {',
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "reserved-names-accepted",
    bug: "a release may list SHA256SUMS, verify-signatures.sh and the other names the bundle uses itself",
    file: "worker/sync/release-manifest.ts",
    find: "!(RESERVED_FILE_NAMES as readonly string[]).includes(name) && ",
    replace: "",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "file-name-uniqueness-removed",
    bug: "a new pack may take a file name another pack publishes (foo 1-2.0 and foo-1 2.0)",
    file: "worker/sync/plan.ts",
    find: "if (!fileNameTaken(facts, file, plan)) plan.newPacks.push(file);",
    replace: "plan.newPacks.push(file);",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "attempts-cap-removed",
    bug: "a poison release is retried forever: the attempts cap is gone",
    file: "worker/sync/run.ts",
    find: "claim.attempts - claim.retriedAtAttempt > MAX_ATTEMPTS",
    replace: "claim.attempts - claim.retriedAtAttempt > Number.MAX_SAFE_INTEGER",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "claim-ignores-lease",
    bug: "the claim SQL ignores the lease: two runs claim the same release",
    file: "worker/db/releases.ts",
    find: "lt(releases.claimedAt, now - CLAIM_LEASE_MS)",
    replace: "sql`1 = 1`",
    tests: [T("sync-guards"), T("sync")],
    before: { find: "lt(releases.claimedAt, now - CLAIM_LEASE_MS)", replace: "sql`1 = 1`", tests: [T("sync")] },
  },
  {
    id: "publish-ignores-claim-holder",
    bug: "a run whose lease was taken over can still publish the release",
    file: "worker/db/publish-batch.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "AND run_id = ${runId} AND status = 'processing'",
    replace: "AND status = 'processing'",
    tests: [T("sync")],
  },
  {
    id: "installer-unique-dropped",
    bug: "the installer UNIQUE constraint (one installer of a kind per product version) no longer holds across releases",
    file: "migrations/0000_init.sql",
    find: "PRIMARY KEY(`product_id`, `version`, `kind`)",
    replace: "PRIMARY KEY(`product_id`, `version`, `kind`, `release_id`)",
    // sync-guards' racing test reuses the first release's file name, so the file-name index refuses
    // it too; mutant-guards races the same installer under another name.
    tests: [T("sync-guards"), T("mutant-guards")],
    before: {
      find: "PRIMARY KEY(`product_id`, `version`, `kind`)",
      replace: "PRIMARY KEY(`product_id`, `version`, `kind`, `release_id`)",
      tests: [T("sync"), T("sync-quarantine")],
    },
  },
  // ── search and product version counts (worker/db/facets.ts, catalog-queries.ts) ─────────────────
  {
    id: "all-clouds-one-bit",
    bug: "a version published for every cloud gets only AWS's bit: searches under-count every other cloud",
    file: "worker/db/counts/facets.ts",
    find: "const ALL_CLOUDS = bitText(Object.values(FACET_BITS.cloud).reduce((all, bit) => all | bit, 0));",
    replace: "const ALL_CLOUDS = bitText(FACET_BITS.cloud.aws);",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "open-range-closed",
    bug: "an open product version range is kept as empty: a product version filter drops unbounded packs",
    file: "worker/db/counts/facet-bits.ts",
    find: "export const OPEN_MAX = sql`char(1114111)`;",
    replace: "export const OPEN_MAX = sql`''`;",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "summary-for-version-filters",
    bug: "a search with a per-version filter counts from the pack summaries, which join values of different versions",
    file: "worker/db/counts/search-counts.ts",
    find: "if (!f.product && !f.useCase && !f.cloud && !f.arch && f.fips === undefined) return summaryCounts(f, match);",
    replace: "if (!f.product) return summaryCounts(f, match);",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "ordered-search-ignores-matches",
    bug: "a search's page reads the ordered index without its words: every pack is listed as found",
    file: "worker/db/search-text.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "conditions: [sql`pack_search_ordered MATCH ${match}`, ...bounds]",
    replace: "conditions: [...bounds]",
    tests: [T("catalog-facets"), T("display-rank")],
    before: "n/a",
  },
  {
    id: "version-cut-starts-empty",
    bug: "a new product version interval starts with no counts instead of those of the interval it is cut from",
    file: "worker/db/counts/product-version-counts.ts",
    find: "CROSS JOIN product_version_counts c ON c.product_id = cut.product_id AND c.from_key = (",
    replace: "CROSS JOIN product_version_counts c ON 0 AND c.from_key = (",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "version-counts-not-subtracted",
    bug: "a batch adds the touched packs' product version counts without taking away what their kept ranges counted",
    file: "worker/db/counts/product-version-counts.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "FROM pack_product_ranges x WHERE ${before}",
    replace: "FROM pack_product_ranges x WHERE 0",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "version-cut-at-max",
    bug: "an interval is cut at a range's max instead of just past it: the max itself falls outside the range",
    file: "worker/db/counts/product-version-counts.ts",
    find: "} || char(1)`;",
    replace: "}`;",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "version-pack-counted-per-mask",
    bug: "a pack whose versions in an interval have two masks counts twice for a combination both have",
    file: "worker/db/counts/product-version-counts.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "SELECT DISTINCT grp.id, ${combinations.bits} AS bits\n      FROM sets grp CROSS JOIN json_each('[' ||",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "SELECT grp.id, ${combinations.bits} AS bits\n      FROM sets grp CROSS JOIN json_each('[' ||",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "facet-counts-any-product-dropped",
    bug: "a pack's combinations leave out 'any product': every count without a product filter reads 0",
    file: "worker/db/counts/facets.ts",
    find: "CROSS JOIN json_each(json_insert(j.value -> 1, '$[#]', '')) x",
    replace: "CROSS JOIN json_each(j.value -> 1) x",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "facet-counts-old-profiles-ignored",
    bug: "a publish or yank adds the touched packs' new profile sets without taking away their old ones",
    file: "worker/db/counts/facets.ts",
    find: "SELECT old_profiles, -1 FROM per_pack WHERE",
    replace: "SELECT old_profiles, 0 FROM per_pack WHERE",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "facet-bits-bound",
    bug: "the facet bits are bound again: D1 makes them REAL, every kept set reads as changed, each batch recounts its packs",
    file: "worker/db/counts/facets.ts",
    find: "const bitText = (bits: number) => sql.raw(String(Math.trunc(bits)));",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "const bitText = (bits: number) => sql`${bits}`;",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  // ── verified bytes (worker/downloads/serve.ts) ─────────────────────────────────────────────────
  {
    id: "serve-etag-unpinned",
    bug: "readVerified without the etag precondition: bytes overwritten in storage are served",
    file: "worker/downloads/serve.ts",
    find: "{ onlyIf: { etagMatches: file.storedEtag }, range }",
    replace: "{ range }",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "serve-cache-fill-unchecked",
    bug: "the edge cache is filled without the size/sha256 check of the bytes read",
    file: "worker/downloads/serve.ts",
    find: "read.object.body.pipeThrough(checkedBytes(file))",
    replace: "read.object.body",
    tests: [T("release-trust"), T("downloads")],
    before: "n/a",
  },
  // ── the tar writer (worker/downloads/tar.ts) ───────────────────────────────────────────────────
  {
    id: "tar-8gib",
    bug: "an 8 GiB member size is written in octal, which ustar's 11 digits cannot hold",
    file: "worker/downloads/tar.ts",
    find: "if (size < 8 ** 11)",
    replace: "if (size <= 8 ** 11)",
    tests: [T("tar")],
  },
  {
    id: "tar-padding",
    bug: "a member whose size is a multiple of 512 gets a whole block of padding",
    file: "worker/downloads/tar.ts",
    find: "const padTo = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;",
    replace: "const padTo = (n: number) => BLOCK - (n % BLOCK);",
    tests: [T("tar")],
  },
  // ── trust-guards (issue 17 item 6): the hidden mutants the issue lists, then more ──────────────
  {
    id: "admin-token-prefix",
    bug: "the admin token check accepts any prefix of ADMIN_TOKEN (the expected side cut to the given length)",
    file: "worker/admin-auth.ts",
    find: "sha256(adminToken)]",
    replace: "sha256(adminToken.slice(0, token.length))]",
    tests: [T("admin-auth")],
    before: {
      find: "const expected = Buffer.from(config(c.env as Env).ADMIN_TOKEN);",
      replace: "const expected = Buffer.from(config(c.env as Env).ADMIN_TOKEN.slice(0, token.length));",
    },
  },
  {
    id: "admin-token-digest-length",
    bug: "the admin token digests are compared by length only: every token is 32 bytes of SHA-256, so any token passes",
    file: "worker/admin-auth.ts",
    find: "timingSafeEqual(new Uint8Array(given), new Uint8Array(expected))",
    replace: "given.byteLength === expected.byteLength",
    tests: [T("admin-auth")],
    before: "n/a",
  },
  {
    id: "admin-token-digest-truncated",
    bug: "the admin token digests are compared truncated (4 of 32 bytes): a token with a colliding digest prefix passes",
    file: "worker/admin-auth.ts",
    find: "timingSafeEqual(new Uint8Array(given), new Uint8Array(expected))",
    replace: "timingSafeEqual(new Uint8Array(given, 0, 4), new Uint8Array(expected, 0, 4))",
    tests: [T("admin-auth")],
    before: "n/a",
  },
  {
    id: "captcha-hostname-suffix",
    bug: "the captcha hostname is matched by suffix: a token solved on evilstudio.example or x.studio.example opens a grant",
    file: "worker/captcha/siteverify.ts",
    find: "body.hostname !== input.hostname) {",
    replace: "!body.hostname.endsWith(input.hostname)) {",
    tests: [T("captcha")],
  },
  {
    id: "captcha-hostname-parent",
    bug: "the captcha hostname is matched the other way round: a token solved on any suffix of this host (example, o.example) passes",
    file: "worker/captcha/siteverify.ts",
    find: "body.hostname !== input.hostname) {",
    replace: "!input.hostname.endsWith(body.hostname)) {",
    tests: [T("captcha")],
  },
  {
    id: "captcha-action-dropped",
    bug: "the grant gate no longer asks for the download action: a Turnstile token solved for another widget opens a grant",
    file: "worker/downloads/granting.ts",
    find: "action: CAPTCHA_ACTION,",
    replace: "",
    tests: [T("captcha")],
    before: { find: ", action: CAPTCHA_ACTION", replace: "" },
  },
  {
    id: "grant-limit-by-captcha-token",
    bug: "the grant rate limit is keyed by the captcha token: a farm of fresh tokens from one address is never limited",
    file: "worker/downloads/granting.ts",
    find: "rateLimitKey(input.ip)",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "(input.captchaToken ? `captcha:${input.captchaToken}` : rateLimitKey(input.ip))",
    tests: [T("captcha")],
    before: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      find: '`ip:${input.ip ?? "unknown"}`',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      replace: '(input.captchaToken ? `captcha:${input.captchaToken}` : `ip:${input.ip ?? "unknown"}`)',
    },
  },
  {
    id: "blob-reused-unchecked",
    bug: "an existing blob is reused without re-reading it: bytes planted at blobs/sha256/<sha> (or a bad signature) are published",
    file: "worker/sync/verify-files.ts",
    find: "if (existing && existing.size === f.size) {",
    replace:
      "if (existing && existing.size === f.size) {\n    await existing.body.cancel();\n    return { key, etag: existing.etag };",
    tests: [T("sync-guards")],
    before: "n/a",
  },
  {
    id: "publish-manifest-change-unchecked",
    bug: "the publish step skips its 'release.json changed while its files were verified' check: a swapped manifest publishes",
    // house-db: the check moved to the release check the sync's gate and the Workflow share
    file: "worker/sync/check-release.ts",
    find: "if (expectSha256 !== undefined && signed.manifestSha256 !== expectSha256)",
    replace: "if (expectSha256 !== undefined && signed.manifestSha256 !== expectSha256 && false)",
    tests: [T("sync-guards"), T("check-release")],
    before: {
      file: "worker/sync/workflow.ts",
      find: "if (signed.manifestSha256 !== params.manifestSha256) {",
      replace: "if (signed.manifestSha256 !== params.manifestSha256 && false) {",
      tests: [T("sync-guards")],
    },
  },
  {
    id: "release-file-name-slash",
    bug: "a release file name may hold '/': a file outside the release folder, a tar member in another directory",
    file: "worker/sync/release-manifest.ts",
    find: "[A-Za-z0-9._+-]{0,99}$/",
    replace: "[A-Za-z0-9._+/-]{0,99}$/",
    tests: [T("sync-guards")],
    before: { find: "[A-Za-z0-9._+-]{0,200}$/", replace: "[A-Za-z0-9._+/-]{0,200}$/", tests: [T("sync-quarantine")] },
  },
  {
    id: "release-file-name-leading-dot",
    bug: "a release file name may start with a dot: '..' and hidden files ('.profile') in the user's download folder",
    file: "worker/sync/release-manifest.ts",
    find: ".regex(/^[A-Za-z0-9][",
    replace: ".regex(/^[A-Za-z0-9.][",
    tests: [T("sync-guards")],
    before: { find: ".regex(/^[A-Za-z0-9][", replace: ".regex(/^[A-Za-z0-9.[", tests: [T("sync-quarantine")] },
  },
  {
    id: "release-file-name-unanchored",
    bug: "the file name pattern loses its ^: any prefix passes ('../../x', '/etc/x', 'a\\b', a NUL) if the name ends well",
    file: "worker/sync/release-manifest.ts",
    find: ".regex(/^[A-Za-z0-9][",
    replace: ".regex(/[A-Za-z0-9][",
    tests: [T("sync-guards")],
    before: { find: ".regex(/^[A-Za-z0-9][", replace: ".regex(/[A-Za-z0-9[", tests: [T("sync-quarantine")] },
  },
  // Beyond the issue's list: more guards, each a realistic bug.
  {
    id: "blob-reuse-signature-unchecked",
    bug: "a reused blob is re-hashed but its signature verdict ignored: identical bytes re-published with a forged .sig.bin pass",
    file: "worker/sync/verify-files.ts",
    find: "if (!problem) return { key, etag: existing.etag };",
    replace: "if (!problem || measured.sha256 === f.sha256) return { key, etag: existing.etag };",
    tests: [T("sync-guards")],
    before: "n/a",
  },
  {
    id: "small-blob-reused-unchecked",
    bug: "a signature (or release.json) blob already in the bucket is kept without comparing its bytes: a planted .sig.bin is served",
    file: "worker/sync/verify-files.ts",
    find: "if (held.byteLength === bytes.byteLength && held.every((b, i) => b === bytes[i]))",
    replace: "if (held)",
    tests: [T("sync-guards")],
    before: "n/a",
  },
  {
    id: "sig-grant-unbound",
    bug: "the /dl HMAC no longer covers the grant id: a revoked grant's URL works again under another grant's id",
    file: "worker/downloads/signers.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "\\n${exp}\\n${grantId}`",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "\\n${exp}\\n`",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "sig-object-unbound",
    bug: "the /dl HMAC no longer covers the object: a URL for one file of a grant downloads any other (the path is free)",
    file: "worker/downloads/signers.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "\\n${objectKey}\\n",
    replace: "\\n\\n",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "sig-expiry-unbound",
    bug: "the /dl HMAC no longer covers the expiry: editing exp= extends a link forever",
    file: "worker/downloads/signers.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "\\n${exp}\\n${grantId}`",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "\\n0\\n${grantId}`",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "presign-outlives-grant",
    bug: "R2 presigned URLs expire after the 7-day maximum instead of with their grant (the expiry taken as a duration)",
    file: "worker/downloads/signers.ts",
    find: "Math.max(1, expirySeconds(grant) - issued)",
    replace: "Math.max(1, expirySeconds(grant))",
    tests: [T("downloads-signing")],
  },
  {
    id: "sig-noncanonical-base64",
    bug: "a /dl signature is decoded leniently: several texts (stray low bits, padding) pass for one signature",
    file: "worker/encoding.ts",
    find: 'return bytes.toString("base64url") === text',
    replace: "return true",
    tests: [T("downloads-signing")],
    before: "n/a",
  },
  {
    id: "dl-revoked-grant-served",
    bug: "/dl forgets the revocation check: a revoked grant's single-file URLs keep downloading until they expire",
    file: "worker/routes/api/dl.ts",
    find: "if (grant.revoked) return { refusal: refuse(",
    replace: "if (grant.revoked && false) return refuse(",
    tests: [T("downloads")],
    before: {
      file: "worker/routes/files.ts",
      find: "if (grant.revoked) return refuse(",
      replace: "if (grant.revoked && false) return refuse(",
    },
  },
  {
    id: "dl-yanked-pack-served",
    bug: "/dl forgets the yank check: a pack yanked after the grant (a bad build, a leaked key) still downloads",
    file: "worker/routes/api/dl.ts",
    find: "if (drift.yanked.length) return",
    replace: "if (false) return",
    tests: [T("downloads")],
    before: {
      file: "worker/routes/files.ts",
      find: "if (file.packVersionId && (await yankedAmong(",
      replace: "if (false && (await yankedAmong(",
    },
  },
  {
    id: "dl-yanked-installer-served",
    bug: "/dl checks packs but not installers: a yanked ISO keeps downloading through grants issued before the yank",
    file: "worker/routes/api/dl.ts",
    find: "const source = grant.files.find((f) => f.file === file.file || f.sigFile === file.file);",
    replace:
      'const source = grant.files.find((f) => f.kind === "pack" && (f.file === file.file || f.sigFile === file.file));',
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "token-scope-unchecked",
    bug: "an API token's scopes are not checked: a manifests:read token creates grants (skipping the captcha)",
    file: "worker/downloads/api-tokens.ts",
    find: "if (!record.scopes.includes(scope))",
    replace: "if (false)",
    tests: [T("captcha"), T("grants")],
  },
  {
    id: "token-revoked-accepted",
    bug: "a revoked API token is still found by its hash and keeps creating grants",
    file: "worker/db/grant-queries.ts",
    find: "and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt))",
    replace: "eq(apiTokens.tokenHash, tokenHash)",
    tests: [T("captcha"), T("grants")],
  },
  {
    id: "manifest-validity-unbounded",
    bug: "release.json may be valid for years: a pulled release can be replayed long after (TUF's freeze window)",
    file: "worker/sync/release-manifest.ts",
    find: "if (expiresAt - now > MAX_MANIFEST_VALIDITY_MS)",
    replace: "if (false)",
    tests: [T("sync-quarantine")],
    before: "n/a",
  },
  {
    id: "manifest-size-unbounded",
    bug: "a release.json of any size is read into memory: a multi-GB one exhausts the isolate on every sync",
    file: "worker/sync/release-checks.ts",
    find: "if (manifestSize > MAX_RELEASE_JSON_BYTES)",
    replace: "if (false)",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "manifest-signature-size-unbounded",
    bug: "release.json.sig.bin of any size is read into memory before a single signature check",
    file: "worker/sync/release-checks.ts",
    find: "if (signatureSize > MAX_SIGNATURE_BYTES)",
    replace: "if (false)",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "file-signature-size-unbounded",
    bug: "a file's .sig.bin is not bounded before the verify step reads it whole: a huge one exhausts every retry",
    file: "worker/sync/release-checks.ts",
    find: "signatureSize === 0 || signatureSize > MAX_SIGNATURE_BYTES",
    replace: "signatureSize === 0",
    tests: [T("sync-guards")],
    before: "n/a",
  },
  {
    id: "release-file-count-unbounded",
    bug: "a release may list any number of files: one drop fans out to unbounded Workflow steps and findings",
    file: "worker/sync/release-manifest.ts",
    find: ".max(MAX_RELEASE_FILES, `",
    replace: ".max(MAX_RELEASE_FILES * 1000, `",
    tests: [T("release-trust")],
    before: "n/a",
  },
  {
    id: "grant-pack-count-unbounded",
    bug: "a grant may list any number of packs: one request becomes thousands of lookups",
    file: "worker/downloads/granting.ts",
    find: '.max(500, "at most 500 packs a grant")',
    replace: '.max(50_000, "at most 500 packs a grant")',
    tests: [T("grants")],
    before: "n/a",
  },
  {
    id: "bundle-pack-count-unbounded",
    bug: "a bundle spec may list any number of packs (grants, imports and pre-generated manifests take it)",
    file: "worker/catalog/bundle-spec.ts",
    find: '.max(500, "a bundle holds at most 500 packs")',
    replace: '.max(50_000, "a bundle holds at most 500 packs")',
    tests: [T("grants")],
    before: "n/a",
  },
  {
    id: "grant-ipv4-mapped-separate",
    bug: "an IPv4-mapped IPv6 address is limited apart from its IPv4 address: one client gets two quotas",
    file: "worker/downloads/client-key.ts",
    find: "groups[5] === 0xffff",
    replace: "groups[5] === 0xfffe",
    tests: [T("grants")],
    before: "n/a",
  },
  {
    id: "range-end-unclamped",
    bug: "a Range past the end is not clamped: Content-Length and Content-Range promise bytes the file does not have",
    file: "worker/downloads/http-range.ts",
    find: "Math.min(Number(m[2]), size - 1)",
    replace: "Number(m[2])",
    tests: [T("downloads-signing"), T("downloads")],
  },
  {
    id: "tar-checksum-unspaced",
    bug: "the tar header checksum is computed over zeros instead of spaces: tar refuses every member (checksum error)",
    file: "worker/downloads/tar.ts",
    find: "block.fill(0x20, 148, 156);",
    replace: "",
    tests: [T("tar")],
  },
  // ── publisher (issue 18 + audience): the publish API and the audience check ──────────────────
  {
    id: "audience-unchecked",
    bug: "a release signed for another deployment (audience) is published: staging replayed into production",
    file: "worker/sync/release-manifest.ts",
    find: "manifestFreshnessProblem(release, now) ?? audienceProblem(release, audience)",
    replace: "manifestFreshnessProblem(release, now)",
    tests: [T("sync-quarantine"), T("publish-api")],
    before: "n/a",
  },
  {
    id: "publisher-prefix-ignored",
    bug: "a publisher token scoped to a release-id prefix may write any release",
    file: "worker/publish/publisher-auth.ts",
    find: "publisher.releasePrefix !== null && !releaseId.startsWith(publisher.releasePrefix)",
    replace: "false",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "publish-exists-unchecked",
    bug: "the write-once check before an upload is skipped",
    file: "worker/publish/uploads.ts",
    find: "  if (existing)\n    throw conflict(",
    replace: "  if (false)\n    throw conflict(",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "publish-sha256-unchecked",
    bug: "a single-request upload is stored without R2 checking the declared sha256",
    file: "worker/publish/uploads.ts",
    find: "      sha256,\n      onlyIf",
    replace: "      onlyIf",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "publish-revoked-token",
    bug: "a revoked publisher token still works",
    file: "worker/db/publisher-tokens.ts",
    find: ".where(and(eq(publisherTokens.tokenHash, tokenHash), isNull(publisherTokens.revokedAt)));",
    replace: ".where(eq(publisherTokens.tokenHash, tokenHash));",
    tests: [T("publish-api")],
    before: "n/a",
  },
  // ── sync faults (worker/sync/watch.ts, worker/sync/folders.ts) · branch sync-faults ─────────────
  {
    id: "stall-never-detected",
    bug: "a live Workflow that stopped moving is never counted as stalled: the release sticks in processing",
    file: "worker/sync/watch.ts",
    find: "if (now - since <= limit) return null;",
    replace: "if (now - since <= Infinity) return null;",
    tests: [T("sync-stall")],
    before: "n/a",
  },
  {
    id: "stall-paused-counted",
    bug: "an instance an admin paused is terminated as stalled",
    file: "worker/sync/watch.ts",
    find: "PAUSED_STATES.has(state) ? null : stallReason(env, release, now);",
    replace: "stallReason(env, release, now);",
    tests: [T("sync-stall")],
    before: "n/a",
  },
  {
    id: "stall-bound-ignores-size",
    bug: "the stall bound forgets the file size: a large file's healthy step looks stalled",
    file: "worker/sync/watch.ts",
    find: "return fileStepTimeoutMs(env, Math.max(0, ...fileSizes)) + BETWEEN_ATTEMPTS_MS;",
    replace: "return fileStepTimeoutMs(env, 0) + BETWEEN_ATTEMPTS_MS;",
    tests: [T("sync-stall")],
    before: "n/a",
  },
  {
    id: "progress-from-any-workflow",
    bug: "a terminated instance's steps still note progress, so a stalled release looks alive",
    file: "worker/db/sync-watch.ts",
    find: '.where(and(eq(releases.id, id), eq(releases.workflowId, workflowId), eq(releases.status, "processing")));',
    replace: '.where(and(eq(releases.id, id), eq(releases.status, "processing")));',
    tests: [T("sync-stall")],
    before: "n/a",
  },
  {
    id: "listing-not-paged",
    bug: "the listing no longer resumes after the cursor: every run re-lists from the start and never reaches folders past a page of junk",
    file: "worker/sync/folders.ts",
    find: "const after = await listingCursor(db);",
    replace: "const after = null;",
    tests: [T("sync-junk")],
    before: "n/a",
  },
  {
    id: "junk-never-abandoned",
    bug: "folders without release.json are never quarantined: junk costs a head on every pass for ever",
    file: "worker/sync/folders.ts",
    find: "const overdue = await noteUploading(db, ids, run.now, run.now - hours * 3600 * 1000);",
    replace: "const overdue: string[] = [];",
    tests: [T("sync-junk")],
  },
  // finish (issue 20): page text, image names, yank reasons
  {
    id: "verify-run-together",
    bug: 'a template line ends at an element and htm drops the space: /verify reads "or<a>here</a>" as orhere',
    file: "web/pages/verify-page.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the htm source text the mutant edits
    find: 'written by <code>download.sh</code>, or${" "}',
    replace: "written by <code>download.sh</code>, or",
    tests: [T("pages-text")],
    before: "n/a",
  },
  {
    id: "parts-entity-as-text",
    bug: "a character reference in htm text is shown as is: ?size=&lt;bytes&gt; on every download output",
    file: "web/components/parts-list.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the htm source text the mutant edits
    find: '<code>${"?size=<bytes>"}</code>',
    replace: "<code>?size=&lt;bytes&gt;</code>",
    tests: [T("pages-text")],
    before: "n/a",
  },
  {
    id: "image-name-not-normalized",
    bug: "image search takes calico/node literally and finds nothing (docker.io/calico/node is what is stored)",
    file: "worker/catalog/image-query.ts",
    find: "const full = normalizeRepository(repo);",
    replace: "const full = repo;",
    tests: [T("images")],
    before: "n/a",
  },
  {
    id: "yank-reason-dropped",
    bug: "a version asked for by name after its yank is a bare 404: the user never learns when or why",
    file: "worker/catalog/yanks.ts",
    find: "throw record ? yankedError(name, [record]) : err;",
    replace: "throw err;",
    tests: [T("catalog-packs"), T("admin")],
    before: "n/a",
  },
  // ── house-routes (issue 19 item 2): the API declared with createRoute ─────────────────────────────
  {
    id: "api-body-not-json-415",
    bug: "a body that does not say it is JSON gets OpenAPIHono's bare 415 instead of the 400 naming each field",
    file: "worker/routes/api-app.ts",
    find: "if (!JSON_MEDIA_TYPE.test(mediaType)) {",
    replace: "if (false) {",
    tests: [T("api-routes")],
    before: "n/a",
  },
  {
    id: "api-hook-silent",
    bug: "the validation hook lets invalid input through: handlers run on unvalidated data (500s, not a 400)",
    file: "worker/routes/api-app.ts",
    find: "if (!result.success) throw invalidInput(result.error, result.target);",
    replace: "",
    tests: [T("api-routes"), T("catalog-packs")],
    before: "n/a",
  },
  // trust-revocation: revocation is distrust at once, rotation, metadata restored by a key yank ───────
  {
    id: "revoke-env-guard-grant",
    bug: "a grant's files signed by a key the settings revoke are handed out until the catalog is reconciled",
    file: "worker/downloads/granting.ts",
    find: "const why = distrust(f.keyId);",
    replace: "const why = null && distrust(f.keyId);",
    tests: [T("key-revocation"), T("tar")],
    before: "n/a",
  },
  {
    id: "revoke-env-guard-dl",
    bug: "/dl serves a file (from the edge cache or R2) signed by a key the settings revoke",
    file: "worker/routes/api/dl.ts",
    find: "if (distrusted) return",
    replace: "if (false) return",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "revoke-no-reconcile",
    bug: "requests answer before the catalog withdraws what a newly revoked key signed",
    file: "worker/app.ts",
    find: "app.use(reconcileKeyTrust);",
    replace: "",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "revoke-expiry-withdraws",
    bug: "a key that merely passes notAfter withdraws everything it signed (routine expiry empties the catalog)",
    file: "worker/key-reconcile.ts",
    find: "const revoked = keys.filter((k) => k.revoked);",
    replace: "const revoked = keys.filter((k) => k.revoked || k.notAfter);",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "rotation-no-restore",
    bug: "a re-signed release moves the versions to the new key but leaves them withdrawn",
    file: "worker/db/key-trust.ts",
    find: "const restored = {\n  yanked: false,",
    replace: "const restored = {\n  yanked: true,",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "rotation-restores-hand-yank",
    bug: "a re-signed release also brings back a version an admin yanked by hand",
    file: "worker/db/key-trust.ts",
    find: "and(isNotNull(packVersions.withdrawnByKey), trustedAgain(packVersions), scope.packs)",
    replace: "and(trustedAgain(packVersions), scope.packs)",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "rotation-metadata-unchecked",
    bug: "a re-signed release that says something else about a published version moves it anyway",
    file: "worker/sync/plan.ts",
    find: "if (published.entrySha256 && published.entrySha256 !== entryDigest(file))",
    replace: "if (false)",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "rotation-old-grant-served",
    bug: "a grant issued before a rotation keeps handing out the old signature by the old key",
    file: "worker/db/grant-queries.ts",
    find: "else if (row.keyId !== f.keyId || (f.releaseId !== undefined && row.releaseId !== f.releaseId))",
    replace: "else if (false)",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "key-yank-keeps-metadata",
    bug: "a key yank restores each product and pack to its newest state, the leaked key's own",
    file: "worker/db/key-trust.ts",
    find: "AND (h.key_id IS NULL OR h.key_id NOT IN",
    replace: "AND (h.key_id IS NULL OR 1 OR h.key_id NOT IN",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "pack-shared-fields-rewritten",
    bug: "a new pack version rewrites the pack's shared display name and description without a signed update",
    file: "worker/sync/plan.ts",
    find: 'if (file.change === "update" && exists)',
    replace: "if (exists)",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "distrusted-key-drops",
    bug: "a key an admin yanked (or recorded as revoked) still publishes while the settings list it as current",
    file: "worker/sync/plan.ts",
    find: 'const cause = keys.get(keyId) === "current" && facts.distrustedKeys?.get(keyId);',
    replace: "const cause = false;",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  // trust-bundle: the signed bundle list and the download hardening (issue 17, items 3-5) ─────────────
  {
    id: "serve-stored-sha256-ignored",
    bug: "R2's stored sha256 is not compared with the pinned one: bytes colliding with the MD5 etag are served",
    file: "worker/downloads/serve.ts",
    find: "if (stored) return hex(stored) === pinned ? null :",
    replace: "if (stored) return null; if (stored) return hex(stored) === pinned ? null :",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "serve-missing-sha256-accepted",
    bug: "a single-put blob without a stored sha256 is served on its etag alone",
    file: "worker/downloads/serve.ts",
    find: 'return isMultipart(object) ? null : "storage holds no sha256',
    replace: 'return true ? null : "storage holds no sha256',
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "serve-multipart-end-released",
    bug: "a multipart object's last chunk is passed on before its sha256 is checked: altered bytes arrive whole",
    file: "worker/downloads/serve.ts",
    find: "      if (held) controller.enqueue(held);\n      held = chunk;",
    replace: "      controller.enqueue(chunk);",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    // bundle.tar and its parts share archiveResponse (mends): one guard, so one mutant for both.
    id: "tar-presence-unchecked",
    bug: "bundle.tar and its parts answer 200 without checking their objects first: a missing blob ends the archive short",
    file: "worker/routes/api/grants.ts",
    find: "  // Every object first: a missing one is a 503 naming it, not a 200 that ends short.\n  await assertGrantStored(inputs.grant, inputs.proofs, storageDeps(c));",
    replace: "",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "integrity-error-500",
    bug: "a verified copy missing from storage (a signature for SHA256SUMS) is a 500 instead of a 503 naming it",
    file: "worker/downloads/serve.ts",
    find: 'super(503, "integrity"',
    replace: 'super(500, "integrity"',
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "bundle-list-signs-other-bytes",
    bug: "the bundle list's signature is not over the list served",
    file: "worker/downloads/bundle-list.ts",
    find: "signature: signBundleList(list, key)",
    replace: "signature: signBundleList(list.subarray(1), key)",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "bundle-list-drops-manifests",
    bug: "the bundle list leaves out the signed release manifests, so dropping one is not detected",
    file: "worker/downloads/bundle-list.ts",
    find: "  ...proofs.flatMap((p) =>",
    replace: "  ...proofs.slice(1).flatMap((p) =>",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "studio-key-id-clash",
    bug: "a studio key may take a publisher key's id, and /keys/<id>.pem then serves the publisher's key for it",
    file: "worker/env.ts",
    find: "if (publisher.has(key.id))",
    replace: "if (publisher.has(key.id) && false)",
    tests: [T("bundle-list")],
    before: "n/a",
  },
  {
    id: "list-url-any-grant",
    bug: "a bundle list URL of a revoked grant is still served",
    file: "worker/routes/api/dl.ts",
    find: '  if (grant.revoked) return { refusal: refuse("this download grant was revoked") };',
    replace: "",
    tests: [T("downloads"), T("bundle-list")],
    before: "n/a",
  },
  // lead: a key the settings no longer list hands out nothing ─────────────────────────────────────
  {
    id: "unlisted-key-trusted",
    bug: "a key deleted from TRUSTED_PUBLIC_KEYS (instead of marked revoked) still hands out what it signed",
    file: "worker/key-status.ts",
    find: "if (!key) return `key",
    replace: "if (!key) return null && `key",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  // mends: the archive's length from names and sizes alone (the page's size and parts, Content-Length)
  {
    id: "tar-length-unchecked-path",
    bug: "the length is given for a path no ustar header can hold, so the archive then fails mid-stream",
    file: "worker/downloads/tar.ts",
    find: "    splitPath(path);\n    total +=",
    replace: "    total +=",
    tests: [T("tar")],
    before: "n/a",
  },
  {
    id: "tar-list-size-guessed",
    bug: "the unsigned bundle list's size is not its real size, so the page's .tar size and parts are off",
    file: "worker/downloads/bundle-list.ts",
    find: 'sha256: "0".repeat(64)',
    replace: 'sha256: "0".repeat(40)',
    tests: [T("tar")],
    before: "n/a",
  },
  {
    id: "tar-list-signature-unbounded",
    bug: "the signature's size bound spills past one tar block, so the page's .tar size is a block too long",
    file: "worker/downloads/bundle-list.ts",
    find: "export const LIST_SIGNATURE_MAX_BYTES = 72;",
    replace: "export const LIST_SIGNATURE_MAX_BYTES = 513;",
    tests: [T("tar")],
    before: "n/a",
  },
  // ── publisher-batch: the batch upload endpoint (worker/publish/batch.ts, routes/api/publish.ts) ──
  {
    id: "batch-sha256-unchecked",
    bug: "a batch object is stored without R2 checking it against its declared sha256",
    file: "worker/publish/batch.ts",
    find: '{ sha256: entry.sha256, onlyIf: { etagDoesNotMatch: "*" } }',
    replace: '{ onlyIf: { etagDoesNotMatch: "*" } }',
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-overwrites",
    bug: "a batch overwrites an object already in the folder (not write-once)",
    file: "worker/publish/batch.ts",
    find: '{ sha256: entry.sha256, onlyIf: { etagDoesNotMatch: "*" } }',
    replace: "{ sha256: entry.sha256 }",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-unchanged-any-bytes",
    bug: "other bytes of the same size under a taken name are answered 'unchanged' instead of a conflict",
    file: "worker/publish/batch.ts",
    find: "there.size === entry.size && there.sha256 === entry.sha256",
    replace: "there.size === entry.size",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-size-unchecked",
    bug: "a batch part of another size than declared is stored",
    file: "worker/publish/batch.ts",
    find: "if (files[i].size !== entry.size)",
    replace: "if (false)",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-takes-manifest-signature",
    bug: "release.json.sig.bin (the 'release complete' mark) may come in a batch, before release.json is stored",
    file: "worker/publish/batch.ts",
    find: "if (entry.name === RELEASE_JSON_SIGNATURE)",
    replace: "if (false)",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-part-count-unchecked",
    bug: "a batch with more file parts than entries stores them matched by position",
    file: "worker/publish/batch.ts",
    find: "if (files.length !== objects.length)",
    replace: "if (files.length < objects.length)",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-open-release-unchecked",
    bug: "a batch adds objects to a release the sync has already claimed",
    file: "worker/routes/api/publish.ts",
    find: "    assertBatchShape(objects, file);\n    await assertOpenForUploads(primary(c.env), releaseId);\n",
    replace: "    assertBatchShape(objects, file);\n",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-length-unnamed",
    bug: "an oversized batch is refused without naming Content-Length (or read before it is refused)",
    file: "worker/routes/api/publish.ts",
    find: '  bodyLength(c.req.header("Content-Length"), s.MAX_BATCH_BYTES, "send fewer files per batch");\n',
    replace: "",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-names-twice",
    bug: "a batch may name one object twice (two puts race for one name)",
    file: "worker/publish/schemas.ts",
    find: '.refine((list) => new Set(list.map((o) => o.name)).size === list.length, "must not name an object twice")',
    replace: "",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-files-unbounded",
    bug: "a batch may hold any number of objects (past an invocation's subrequest limit)",
    file: "worker/publish/schemas.ts",
    find: "      .max(MAX_BATCH_FILES)\n",
    replace: "",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "batch-unaudited",
    bug: "a batch stores objects without an audit row naming them",
    file: "worker/routes/api/publish.ts",
    find: '      audit(c, "publish-batch", releaseId,',
    replace: "      void (c, releaseId,",
    tests: [T("publish-api")],
    before: "n/a",
  },
  // ── publisher-polish: the publish API's honesty and the publisher command's guards ────────────
  // ── display order (sort-names): worker/domain/display-sort.ts, the listings and their cursors ──────
  {
    id: "sort-key-keeps-case",
    bug: "the sort key keeps case: AWS VPC CNI sorts before Antrea, lists follow capital letters",
    file: "worker/domain/display-sort.ts",
    find: "    .toUpperCase()\n    .toLowerCase()\n",
    replace: "",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "sort-key-keeps-accents",
    bug: "the sort key keeps combining accents: Émile is not filed with emile",
    file: "worker/domain/display-sort.ts",
    find: '    .replace(/\\p{M}+/gu, "")\n',
    replace: "",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "browse-page-by-name",
    bug: "the browse page walks packs by internal name again",
    file: "worker/db/pack-page.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "ORDER BY p.display_sort_key LIMIT ${limit + 1}",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "ORDER BY p.name LIMIT ${limit + 1}",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "layer-page-by-name",
    bug: "a compatibility page's stretch is found by internal name while its cursor is a display key",
    file: "worker/db/layer-candidates.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: '${fits("p")}\n      ORDER BY p.display_sort_key LIMIT ${limit}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: '${fits("p")}\n      ORDER BY p.name LIMIT ${limit}',
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "cursor-name-unchecked",
    bug: "a cursor's pack name is not checked: any text is taken as a position",
    file: "worker/catalog/filters.ts",
    find: "    if (!packRef.shape.name.safeParse(name).success) return undefined;\n",
    replace: "",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "cursor-key-unbounded",
    bug: "a cursor's folded name may be longer than any key or hold the separator",
    file: "worker/catalog/filters.ts",
    find: "if (folded.length > SORT_KEY_MAX || /\\p{Cc}/u.test(folded)) return undefined;",
    replace: "",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "recount-keeps-ascii-keys",
    bug: "the admin recount leaves migration 0015's ASCII-folded keys: accented names stay last",
    file: "worker/db/display-keys.ts",
    find: ".filter(([, exact, stored]) => exact !== stored)",
    replace: ".filter(() => false)",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "image-name-stored-short",
    bug: "the publish stores image repositories as written: docker.io/calico/node does not find calico/node",
    file: "worker/domain/release-files.ts",
    find: "repository: normalizeRepository(m[1]),",
    replace: "repository: m[1],",
    tests: [T("images")],
    before: "n/a",
  },
  {
    id: "restore-keeps-sort-key",
    bug: "a key yank restores a pack's display name but leaves it where the distrusted key's name put it in lists",
    file: "worker/db/key-trust.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: 'coalesce(${pack("$.displaySortKey")},',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "coalesce(${packs.displaySortKey},",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  {
    id: "update-keeps-sort-key",
    bug: "a signed display-name update leaves the pack where its old name put it in lists",
    file: "worker/db/publish-batch.ts",
    find: "  displaySortKey: displaySortKey(fields.displayName, name),",
    replace: "  displaySortKey: undefined as unknown as string,",
    tests: [T("key-revocation")],
    before: "n/a",
  },
  // capacity: the bench meter must never switch on outside ENVIRONMENT=local.
  {
    id: "bench-meter-in-production",
    bug: "BENCH_METER=on meters (and serves /__bench/meter) in a production deployment too",
    file: "worker/bench-meter.ts",
    find: 'env.BENCH_METER === "on" && env.ENVIRONMENT === "local"',
    replace: 'env.BENCH_METER === "on"',
    tests: [T("bench-meter")],
    before: "n/a",
  },
  // ── publisher-polish: the publish API's honesty and the publisher command's guards ────────────
  {
    id: "publish-declared-sha-verified",
    bug: "a multipart upload's declared sha256 is listed as checked by R2, so push skips other bytes as its file",
    file: "worker/publish/uploads.ts",
    find: "sha256Verified: checked !== undefined,",
    replace: "sha256Verified: true,",
    tests: [T("publish-api"), T("publish-command")],
    before: "n/a",
  },
  {
    id: "push-skips-declared-sha",
    bug: "push takes an object whose sha256 was only declared as already there (confirmed)",
    file: "scripts/release/push.ts",
    find: "if (there.sha256Verified) return",
    replace: "if (true) return",
    tests: [T("publish-command")],
    before: "n/a",
  },
  {
    id: "publish-prefix-any-end",
    bug: "a release prefix without a separator ('acme') is taken, covering acmebank-… too",
    file: "worker/publish/schemas.ts",
    find: "    .regex(/-$/,",
    replace: "    .regex(/$/,",
    tests: [T("publish-api")],
    before: "n/a",
  },
  {
    id: "publish-token-scope-unasked",
    bug: "publish drafts, signs and checks a release id its token may not publish, failing only at push",
    file: "scripts/release/publish.ts",
    find: "    await new Studio(opts.studio, opts.token).folder(releaseId);\n",
    replace: "",
    tests: [T("publish-command")],
    before: "n/a",
  },
  {
    id: "status-path-in-url",
    bug: "status puts a folder path into the studio URL instead of its release id",
    file: "scripts/release/status.ts",
    find: "const releaseId = basename(resolve(target));",
    replace: "const releaseId = target;",
    tests: [T("publish-command")],
    before: "n/a",
  },
  {
    id: "check-rotation-nothing",
    bug: "check's verdict on a rotation says it adds and changes nothing",
    file: "scripts/release/check.ts",
    find: "    ...describeResigns(plan.resigned),\n",
    replace: "",
    tests: [T("publish-command")],
    before: "n/a",
  },
  {
    id: "publish-409-details-object",
    bug: "a publish 409 carries details as an object, not the one error shape's list",
    file: "worker/publish/uploads.ts",
    find: "[{ field, message, ...facts }]",
    replace: "{ field, message, ...facts }",
    tests: [T("publish-api")],
    before: "n/a",
  },
  // key-record: a key's status follows the catalog's record of distrust, not only the settings.
  {
    id: "key-record-revoked-settings-only",
    bug: "a key recorded as revoked and listed as current again shows current (status from the settings alone)",
    file: "worker/key-record.ts",
    find: "    if (revoked) return { ...key, revoked: true",
    replace: "    if (revoked && key.revoked) return { ...key, revoked: true",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-yank-unshown",
    bug: "a key yanked by an admin shows current, and is still served as spectro_public_key.pem",
    file: "worker/key-record.ts",
    find: "return yanked ? { ...key, yankedAt: iso(yanked.at) } : key;",
    replace: "return key;",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-pem-route-settings",
    bug: "/spectro_public_key.pem serves a key recorded as revoked because the settings list it as current",
    file: "worker/routes/api/keys.ts",
    find: "const key = defaultKey(await trustedKeysOnRecord(c.env), Date.now());",
    replace: "const key = defaultKey(config(c.env).TRUSTED_PUBLIC_KEYS, Date.now());",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-tar-settings",
    bug: "a new grant's tar ships a key recorded as revoked as spectro_public_key.pem",
    file: "worker/routes/api/grants.ts",
    find: "keys: await trustedKeysOnRecord(c.env), proofs",
    replace: "keys: cfg.TRUSTED_PUBLIC_KEYS, proofs",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-download-sh-settings",
    bug: "download.sh fetches the key recorded as revoked's successor as <id>.pem and a revoked key as spectro_public_key.pem",
    file: "worker/downloads/issue.ts",
    find: "defaultKey(await trustedKeysOnRecord(env), Date.now())",
    replace: "defaultKey(cfg.TRUSTED_PUBLIC_KEYS, Date.now())",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-revoked-fallback",
    bug: "with every key revoked, /spectro_public_key.pem still serves the first (revoked) key",
    file: "worker/key-status.ts",
    find: '?? keys.find((k) => keyStatus(k, now) === "expired")',
    replace: "?? keys[0]",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-expired-not-served",
    bug: "with no current key, /spectro_public_key.pem is gone although expired keys still verify what the studio offers",
    file: "worker/key-status.ts",
    find: '?? keys.find((k) => keyStatus(k, now) === "expired")',
    replace: "?? undefined",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-verify-offers-none",
    bug: "/verify offers 'Download spectro_public_key.pem' when every key is revoked (the link is a 410)",
    file: "web/pages/verify-page.ts",
    find: "keys.some((k) => k.served)",
    replace: "keys.length > 0",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-withdrawn-version-unmarked",
    bug: "a product version whose installers were all withdrawn is listed as if its installers were still to come",
    file: "worker/catalog/product-installers.ts",
    find: "...(v.installers > 0 && v.offered === 0 && {",
    replace: "...(false && {",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-withdrawn-count-inverted",
    bug: "installers are counted as offered when yanked: a version with live installers is marked withdrawn",
    file: "worker/db/product-rows.ts",
    find: "yanked} = 0), 0)",
    replace: "yanked} = 1), 0)",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-home-offers-withdrawn",
    bug: "the home page offers a withdrawn product version in its version list",
    file: "web/pages/home-page.ts",
    find: "const offered = product.versions.filter((v) => !v.withdrawn);",
    replace: "const offered = product.versions;",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-install-offers-withdrawn",
    bug: "the install page offers a withdrawn product version in its version list",
    file: "web/pages/install-page.ts",
    find: "const offered = product.versions.filter((v) => !v.withdrawn);",
    replace: "const offered = product.versions;",
    tests: [T("key-record")],
    before: "n/a",
  },
  {
    id: "key-record-install-withdrawn-as-coming",
    bug: "a withdrawn version asked for by name says 'This version has no installers yet'",
    file: "web/pages/install-page.ts",
    find: "const withdrawn = product.versions.find(",
    replace: "const withdrawn = undefined && product.versions.find(",
    tests: [T("key-record")],
    before: "n/a",
  },
  // flat-reads: compatibility pages and a common word's search page read rows in proportion to the page (issue 21) ──
  {
    id: "compat-walk-reads-versions",
    bug: "the walk that finds where a compatibility page ends looks up every walked pack's versions and child lists again",
    file: "worker/db/layer-candidates.ts",
    find: "  if (filter.product && filter.version) {",
    replace: "  if (false) {",
    tests: [T("catalog-query-plan")],
    before: "n/a",
  },
  {
    id: "ordered-search-from-start",
    bug: "a search's later page reads the ordered index from its start, passing every match before the cursor",
    file: "worker/db/search-text.ts",
    find: "    ...(after\n      ? [",
    replace: "    ...(false\n      ? [",
    tests: [T("catalog-query-plan")],
    before: "n/a",
  },
  // grant-retention: expired grants leave D1 after GRANT_RETENTION_DAYS, archived to R2 first ──────
  {
    id: "grant-retention-not-in-cron",
    bug: "the Cron Trigger never runs the retention step: grants fill D1 as before",
    file: "worker/index.ts",
    find: "      await retainGrants(metered);",
    replace: "",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-throws-into-cron",
    bug: "a failed archive throws out of the scheduled handler: the cron's outcome is a retention failure",
    file: "worker/downloads/grant-retention.ts",
    find: "    return { error };",
    replace: "    throw err;",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-ignores-retention",
    bug: "grants are archived as soon as they expire, not GRANT_RETENTION_DAYS later",
    file: "worker/downloads/grant-retention.ts",
    find: "const cutoff = now - config(env).GRANT_RETENTION_DAYS * DAY_MS;",
    replace: "const cutoff = now - config(env).GRANT_RETENTION_DAYS * 0;",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-cutoff-inclusive",
    bug: "a grant that expired exactly the retention period ago is taken already",
    file: "worker/db/grant-archive.ts",
    find: "    .where(lt(grants.expiresAt, cutoff))\n    .orderBy",
    replace: "    .where(lt(grants.expiresAt, cutoff + 1))\n    .orderBy",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-unverified-archive",
    bug: "the rows are deleted without checking that R2 stored the archive as written (missing or other bytes)",
    file: "worker/downloads/grant-retention.ts",
    find: "if (!stored || stored.size !== body.byteLength || storedSha !== sha256)",
    replace: "if (false)",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-delete-first",
    bug: "the grants are deleted before their archive is written: a failed put loses them",
    file: "worker/downloads/grant-retention.ts",
    find: "  await env.ARTIFACTS.put(key, body, {",
    replace:
      "  await deleteArchivedGrants(db, ids, cutoff, { key, sha256, firstId: ids[0], lastId: ids[0], count: 0 }, now);\n  await env.ARTIFACTS.put(key, body, {",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-deletes-unarchived",
    bug: "the delete takes every grant past the cutoff, not exactly the ones the archive holds",
    file: "worker/db/grant-archive.ts",
    find: ".where(and(idIn(ids), lt(grants.expiresAt, cutoff)))",
    replace: ".where(lt(grants.expiresAt, cutoff))",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-unbounded-rows",
    bug: "a run takes every grant past retention: a backlog makes one run that never ends",
    file: "worker/db/grant-archive.ts",
    find: "    .limit(limit);",
    replace: "    .limit(limit * 1000);",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-no-byte-budget",
    bug: "a run's batch ignores its byte budget: 2,000 large grants would be ~600 MB in one Worker",
    file: "worker/downloads/grant-retention.ts",
    find: "(ids.length && bytes + c.bytes > budget)",
    replace: "(ids.length && false)",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-spans-days",
    bug: "an archive object holds grants of several expiry days, so its path no longer names the day they expired",
    file: "worker/downloads/grant-retention.ts",
    find: "if (Math.floor(c.expiresAt / DAY_MS) !== day || ",
    replace: "if (",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-archives-capability-hash",
    bug: "the archive keeps each grant's capability hash, which no audit needs",
    file: "worker/db/grant-archive.ts",
    find: "  const { capabilityHash: _hash, ...columns } = getTableColumns(grants);",
    replace: "  const columns = getTableColumns(grants);",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-no-expiry-index",
    bug: "no index on the grants' expiry: every run scans and sorts the whole table to find its batch",
    file: "migrations/0017_grant_retention.sql",
    find: "CREATE INDEX `grants_by_expiry` ON `grants` (`expires_at`,`id`);",
    replace: "SELECT 1;",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-setting-zero",
    bug: "GRANT_RETENTION_DAYS=0 (or empty) is accepted: every expired grant leaves D1 at once",
    file: "worker/env.ts",
    find: '    .min(1, "GRANT_RETENTION_DAYS must be at least 1 (day)")\n',
    replace: "",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-archived-unknown",
    bug: "a capability past retention answers 404 not_found instead of 410 expired",
    file: "worker/downloads/granting.ts",
    find: "  if (!grant && GRANT_CAPABILITY.test(capability))",
    replace: "  if (!grant && false)",
    tests: [T("grant-retention"), T("manifests")],
    before: "n/a",
  },
  {
    id: "grant-retention-raw-line-separators",
    bug: "a user agent with U+2028 goes into the archive raw: line readers that split on it break the grant's line",
    file: "worker/downloads/grant-retention.ts",
    find: "JSON.stringify(row).replace(LINE_SEPARATORS, ",
    replace: "JSON.stringify(row).replace(/(?!)/g, ",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "grant-retention-admin-failure-hidden",
    bug: "the admin's retention batch answers 200 'nothing archived' when the archive failed",
    file: "worker/routes/api/admin-grants.ts",
    find: '    throw new ApiError(503, "archive_failed", `grant archive failed',
    replace:
      '    if (why) return c.json({ cutoff: 0, archived: 0, more: false }, 200);\n    throw new ApiError(503, "archive_failed", `grant archive failed',
    tests: [T("grant-retention")],
    before: "n/a",
  },
  // flat-reads-2: bounded search counts, the choice between sorting and walking, searched wizard steps, yanked.txt ──
  {
    id: "search-counts-unbounded",
    bug: "a search counts every full-text match: its rows grow with the catalog (and totalRelation never says gte)",
    file: "worker/db/counts/search-counts.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    find: "ORDER BY rowid LIMIT ${COUNTED_MATCHES}) AS hits",
    replace: "ORDER BY rowid) AS hits",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "search-counts-always-exact",
    bug: "a search that counted only its first matches still says its counts are exact",
    file: "worker/db/counts/search-counts.ts",
    find: "exact: row.counted === undefined || Number(row.counted) < COUNTED_MATCHES",
    replace: "exact: true",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "search-counts-yanked-hit",
    bug: "a counted match whose every version was yanked (no kept summary) is counted in the total",
    file: "worker/db/counts/search-counts.ts",
    find: 'and([sql`m.mask IS NOT NULL`, profileMatches(f, "m", except)])',
    replace: 'profileMatches(f, "m", except)',
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  {
    id: "searched-step-other-words-ignored",
    bug: "a searched wizard step checks the first word only: a pack the other words do not find is offered",
    file: "worker/db/layer-candidates.ts",
    find: "    ...others.map(foundBy),\n",
    replace: "",
    tests: [T("compat-searched-pages")],
    before: "n/a",
  },
  {
    id: "searched-step-other-word-by-rank",
    bug: "a searched step's other words are looked up in pack_search by the pack's display rank, not its rowid",
    file: "worker/db/layer-candidates.ts",
    find: "AND pack_search.rowid = p.rowid)",
    replace: "AND pack_search.rowid = p.display_rank)",
    tests: [T("compat-searched-pages")],
    before: "n/a",
  },
  {
    id: "searched-stretch-runs-to-the-end",
    bug: "a searched stretch reads the ordered index from its start to the catalog's end, not to the stretch's",
    file: "worker/db/search-text.ts",
    find: "    ...(upTo\n      ? [",
    replace: "    ...(false\n      ? [",
    tests: [T("catalog-query-plan")],
    before: "n/a",
  },
  {
    id: "searched-step-named-layer-dropped",
    bug: 'a word that names a layer ("network") no longer finds that layer\'s packs on a searched step',
    file: "worker/db/layer-candidates.ts",
    find: '.filter((named) => layer === "every" || named === layer)',
    replace: ".filter(() => false)",
    tests: [T("compat-searched-pages")],
    before: "n/a",
  },
  {
    id: "yanked-txt-reads-all-changes",
    bug: "the yanks-only read also lists every published version: a quiet mirror night reads the catalog",
    file: "worker/db/change-log.ts",
    find: "    generationStatement(),\n    ...yankedStatements(since, changeFilters(f)),",
    replace:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
      "    generationStatement(),\n    ...yankedStatements(since, changeFilters(f)),\n    query(sql`SELECT * FROM pack_versions WHERE published_generation > ${since}`),",
    tests: [T("changes")],
    before: "n/a",
  },
  {
    id: "search-page-lists-yanked-packs",
    bug: "a search's page no longer checks the pack still has a published version: a fully yanked pack's full-text row is listed",
    file: "worker/db/counts/profile-match.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    find: 'return sql`EXISTS (SELECT 1 FROM pack_facet_summaries u WHERE u.pack_rowid = p.rowid AND ${profileMatches(f, "u")})`;',
    replace: 'return profileMatches(f, "p");',
    tests: [T("catalog-facets"), T("key-revocation"), T("catalog-packs")],
    before: "n/a",
  },
  {
    id: "grant-archive-overwrites",
    bug: "a retention run replaces an archive object already at its key (a concurrent run's), so the recorded sha256 no longer matches",
    file: "worker/downloads/grant-retention.ts",
    find: '    onlyIf: { etagDoesNotMatch: "*" },\n    sha256,',
    replace: "    sha256,",
    tests: [T("grant-retention")],
    before: "n/a",
  },
  {
    id: "download-sh-stale-key-kept",
    bug: "download.sh refuses a yanked key but leaves an earlier run's copy of it, which verify-bundle.sh would trust offline",
    file: "worker/downloads/manifest-formats.ts",
    find: '  case "$1" in 3 | 4) rm -f -- "$2" ;; esac\n',
    replace: "",
    tests: ["test/e2e/download-yanked-key.test.ts"],
    before: "n/a",
  },
  {
    id: "bounded-facet-zero-shown",
    bug: "a bounded search shows (0+) beside a value none of its counted matches has, though packs past them may",
    file: "web/pages/packs-page.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    find: 'return n ? ` (${n}+)` : "";',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    replace: "return ` (${n ?? 0}+)`;",
    tests: [T("catalog-facets")],
    before: "n/a",
  },
  // trust-edges: a signed release.json that repeats a key is refused by every reader; download.sh and a yanked key ──
  {
    id: "repeated-key-unchecked",
    bug: "the sync believes a release.json that repeats a key (JSON.parse's last value; verify-bundle.sh read the first)",
    // edges-3: the refusal moved to the reading every tool shares (worker/sync/signed-json.ts).
    file: "worker/sync/signed-json.ts",
    find: "  if (repeated) return { ok: false,",
    replace: "  if (false) return { ok: false,",
    tests: [T("repeated-keys")],
    before: "n/a",
  },
  {
    id: "repeated-key-raw-names",
    bug: "keys are compared as written, so a repeat spelled with a \\u escape (release\\u0049d) passes",
    file: "worker/sync/repeated-keys.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    find: 'const key = raw.includes("\\\\") ? (JSON.parse(`"${raw}"`) as string) : raw;',
    replace: "const key = raw;",
    tests: [T("repeated-keys")],
    before: "n/a",
  },
  {
    id: "repeated-key-top-level-only",
    bug: "only the top level is scanned: a file entry that repeats its sha256 passes",
    file: "worker/sync/repeated-keys.ts",
    find: "if (top?.keys && expectKey) {",
    replace: "if (top?.keys && expectKey && frames.length === 1) {",
    tests: [T("repeated-keys")],
    before: "n/a",
  },
  {
    id: "repeated-key-escaped-quote",
    bug: "the scan ends a string at an escaped quote, so a value's text is read as keys and structure",
    file: "worker/sync/repeated-keys.ts",
    find: "if (backslashes % 2 === 0) return i;",
    replace: "return i;",
    tests: [T("repeated-keys")],
    before: "n/a",
  },
  {
    id: "sign-signs-repeated-keys",
    bug: "`release sign` lets a repeated key through its reading: it no longer says so in the sync's words",
    file: "scripts/release/sign.ts",
    // edges-3: sign reads release.json with the shared reader (worker/sync/signed-json.ts).
    find: "if (!read.ok) throw new UsageError(read.repeated",
    replace: "if (!read.ok && !read.repeated) throw new UsageError(read.repeated",
    tests: ["test/e2e/publish.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-repeated-key",
    bug: "verify-bundle.sh takes the first value of a repeated key where the sync takes the last",
    file: "worker/downloads/verify-bundle.ts",
    find: '  if [ -n "$repeated" ]; then',
    replace: "  if false; then",
    tests: ["test/e2e/verify-bundle-keys.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-keys-undecoded",
    bug: "verify-bundle.sh reads keys as written: a repeat spelled release\\u0049d passes, an honest escaped key fails",
    file: "worker/downloads/verify-bundle.ts",
    find: "    s = canon(s)\n",
    replace: "",
    tests: ["test/e2e/verify-bundle-keys.test.ts"],
    before: "n/a",
  },
  {
    id: "download-sh-key-by-default-url",
    bug: "download.sh asks /spectro_public_key.pem, which after a yank serves another key (or 410), not the grant's key",
    file: "worker/downloads/manifest-formats.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "url: `${origin}/keys/${encodeURIComponent(keyId)}.pem`,",
    replace:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "url: keyId === defaultKeyId ? `${origin}/spectro_public_key.pem` : `${origin}/keys/${encodeURIComponent(keyId)}.pem`,",
    tests: [T("manifests"), T("key-record")],
    before: "n/a",
  },
  {
    id: "download-sh-yanked-key-used",
    bug: "download.sh verifies with a key the studio reports as yanked",
    file: "worker/downloads/manifest-formats.ts",
    find: '  [ "$status" != yanked ] || return 4\n',
    replace: "",
    tests: ["test/e2e/download-yanked-key.test.ts"],
    before: "n/a",
  },
  {
    id: "download-sh-refused-key-kept",
    bug: "download.sh saves the key before reading its status, leaving a yanked key as spectro_public_key.pem",
    file: "worker/downloads/manifest-formats.ts",
    find: '-o "$KEY_HEADERS.pem" "$2" 2>>"$LOG" || return 1',
    replace: '-o "$KEY_HEADERS.pem" "$2" 2>>"$LOG" && cp "$KEY_HEADERS.pem" "$1" || return 1',
    tests: ["test/e2e/download-yanked-key.test.ts"],
    before: "n/a",
  }, // flat-reads-3: a publish's and a download's reads follow the release, not the catalog.
  {
    id: "publish-signature-name-unindexed",
    bug: "signature_file_name has no index: each 49 names of a publish's plan scan pack_versions whole",
    file: "migrations/0018_flat_publish.sql",
    find: "CREATE INDEX `pack_versions_by_signature_file_name` ON `pack_versions` (`signature_file_name`);",
    replace: "SELECT 1;",
    tests: [T("publish-read-plans")],
    before: "n/a",
  },
  {
    id: "yank-stamp-reads-every-version",
    bug: "the yanked_generation index keeps NULLs: every publish's yank stamp reads every version never yanked",
    file: "migrations/0018_flat_publish.sql",
    find: "ON `pack_versions` (`yanked_generation`) WHERE `yanked_generation` IS NOT NULL;",
    replace: "ON `pack_versions` (`yanked_generation`);",
    tests: [T("publish-read-plans")],
    before: "n/a",
  },
  {
    id: "kept-manifests-by-status",
    bug: "a download's kept-manifest lookup filters status in SQL and reads every published release",
    file: "worker/db/grant-queries.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "    .where(inArray(releases.id, sql`(SELECT value FROM json_each(${JSON.stringify(releaseIds)}))`));",
    replace:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      '    .where(and(inArray(releases.id, sql`(SELECT value FROM json_each(${JSON.stringify(releaseIds)}))`), eq(releases.status, "published")));',
    tests: [T("publish-read-plans")],
    before: "n/a",
  },
  // ── edges-3: signed JSON read one way (verify-bundle.sh's numbers and fields, the plan, sign, check) ──
  {
    id: "verify-bundle-size-as-text",
    bug: "verify-bundle.sh compares a size as written: a signed size of 1e3 or 1000.0, which the sync takes, fails",
    file: "worker/downloads/verify-bundle.ts",
    find: 'return n == 0 ? "0" : sprintf("%.0f", n)',
    replace: "return v",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-size-fraction",
    bug: "verify-bundle.sh takes a fractional size (1000.5), which the schema refuses",
    file: "worker/downloads/verify-bundle.ts",
    find: '    if (n != int(n)) return substr(v, 1, 40) " is not a whole number of bytes"\n',
    replace: "",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-size-negative",
    bug: "verify-bundle.sh reads a negative size without saying so",
    file: "worker/downloads/verify-bundle.ts",
    find: '    if (n < 0) return substr(v, 1, 40) " is negative: a size is a whole number of bytes"\n',
    replace: "",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-size-unsafe",
    bug: "verify-bundle.sh reads a size beyond 2^53 (rounded by every JSON reader) as a size",
    file: "worker/downloads/verify-bundle.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "    if (n > ${Number.MAX_SAFE_INTEGER}) return",
    replace: "    if (0) return",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-size-string",
    bug: 'verify-bundle.sh takes a size written as a string ("1000"), which the schema refuses',
    file: "worker/downloads/verify-bundle.ts",
    find: 'if (k != "n" || v !~',
    replace: "if (v !~",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-sha256-rule",
    bug: "verify-bundle.sh no longer applies the schema's sha256 rule: an upper-case digest fails without naming the field",
    file: "worker/downloads/verify-bundle.ts",
    find: 'refuse(at "sha256", "must be 64 lower-case hex digits")',
    replace: "refused += 0",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-name-rule",
    bug: "verify-bundle.sh takes a path (..\\/x) for a file name, which the schema refuses",
    file: "worker/downloads/verify-bundle.ts",
    find: 'if (kind["file"] != "s" || !plain(cur["file"]))',
    replace: "if (0)",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-listed-twice",
    bug: "verify-bundle.sh takes a release.json that lists a file twice (it used the first entry; the sync refuses it)",
    file: "worker/downloads/verify-bundle.ts",
    find: 'else if ((cur["file"] in names) || (sig in names)) refuse(at "file", "is listed twice")',
    replace: "",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-refusal-ignored",
    bug: "verify-bundle.sh finds a field the schema refuses but goes on believing the manifest",
    file: "worker/downloads/verify-bundle.ts",
    find: '  if [ -s "$tmp/refused" ]; then',
    replace: "  if false; then",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "plan-repeated-key",
    bug: "POST /api/v1/publish/plan plans a release.json that repeats a key (last wins) which check and the sync refuse",
    file: "worker/routes/api/publish.ts",
    find: "if (!read.ok && read.repeated) throw",
    replace: "if (false) throw",
    tests: [T("publish-plan-json")],
    before: "n/a",
  },
  {
    id: "plan-not-utf8",
    bug: "POST /api/v1/publish/plan reads a byte that is not UTF-8 as U+FFFD and plans what the sync refuses",
    file: "worker/routes/api/publish.ts",
    find: 'if (!read.ok && read.notUtf8) throw badField("body", read.problem);',
    replace: "",
    tests: [T("publish-plan-json")],
    before: "n/a",
  },
  {
    id: "signed-json-lenient-utf8",
    bug: "the shared reader of signed JSON replaces a byte that is not UTF-8: sign signs what the sync should refuse",
    file: "worker/sync/signed-json.ts",
    find: 'new TextDecoder("utf-8", { fatal: true })',
    replace: 'new TextDecoder("utf-8")',
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "sign-decodes-leniently",
    bug: "`release sign` decodes release.json as Node text: a byte that is not UTF-8 becomes U+FFFD and is signed",
    file: "scripts/release/sign.ts",
    find: "readSignedJson(RELEASE_JSON, await readFile(manifestPath))",
    replace: 'readSignedJson(RELEASE_JSON, Buffer.from(await readFile(manifestPath, "utf8")))',
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "signed-json-keeps-bom",
    bug: "the shared reader keeps a leading BOM, which JSON.parse refuses: sign and check refuse what verify-bundle.sh takes",
    file: "worker/sync/signed-json.ts",
    find: "{ fatal: true }",
    replace: "{ fatal: true, ignoreBOM: true }",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-grammar-unchecked",
    bug: "verify-bundle.sh reads text JSON.parse refuses (a trailing comma, a comment, text after the document)",
    file: "worker/downloads/verify-bundle.ts",
    find: 'bad = "unexpected " (t == "s"',
    replace: 'lost = "unexpected " (t == "s"',
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-string-escapes",
    bug: "verify-bundle.sh takes a raw control character or an unknown escape inside a string",
    file: "worker/downloads/verify-bundle.ts",
    find: 'if (bad == "" && (piece ~ ctl || !escapes(piece)))',
    replace: "if (0 && (piece ~ ctl || !escapes(piece)))",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-open-string",
    bug: "verify-bundle.sh takes a document that ends inside a string",
    file: "worker/downloads/verify-bundle.ts",
    find: "(!instr || unclosed)",
    replace: "(0)",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-bom-refused",
    bug: "verify-bundle.sh reads a leading BOM as text: a release.json the sync takes fails the check",
    file: "worker/downloads/verify-bundle.ts",
    find: "    if (NR == 1 && substr($0, 1, 3) == bom) $0 = substr($0, 4)\n",
    replace: "",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-utf8-unchecked",
    bug: "verify-bundle.sh reads bytes that are not UTF-8 (an encoded surrogate) that the sync's strict decoder refuses",
    file: "worker/downloads/verify-bundle.ts",
    find: '    if (bad == "" && !utf8(piece)) bad = "bytes that are not UTF-8 in a string"\n',
    replace: "",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-nul-unseen",
    bug: "verify-bundle.sh lets awk read a NUL byte (mawk and gawk end the string there) that JSON.parse refuses",
    file: "worker/downloads/verify-bundle.ts",
    find: '  [ "$(tr -d \'\\\\000\' < "$1" | wc -c | tr -d \' \')" = "$(wc -c < "$1" | tr -d \' \')" ] ||\n',
    replace: "  false &&\n",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "ordered-search-sorted",
    bug: "a search's page sorts its matches by key instead of reading them in the ordered index's order",
    file: "worker/db/search-text.ts",
    find: "    order: sql`matched.rowid`,",
    replace: "    order: sql`p.display_sort_key`,",
    tests: [T("catalog-query-plan")],
    before: "n/a",
  },
  // ── migration 0019: display ranks, the ordered full-text index, and the triggers that keep them ──
  {
    id: "publish-packs-unsorted",
    bug: "a release's new packs are inserted as the release lists them: a family listed last first halves its gap until every pack is spaced out again",
    file: "worker/db/publish-batch.ts",
    find: "  keyed.sort((a, b) => compareSortKeys(a.key, b.key));\n",
    replace: "",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "rank-insert-halves",
    bug: "a new pack takes the middle of its gap, so a family in display order halves it each time",
    file: "migrations/0019_display_ordered_search.sql",
    find: "      WHEN next - prev > 1 THEN prev + min((next - prev) / 2, 1048576)\n",
    replace: "      WHEN next - prev > 1 THEN prev + (next - prev) / 2\n",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "rank-move-always",
    bug: "every update that rewrites a pack's key moves it, unchanged or not: a republish uses up its gap",
    file: "migrations/0019_display_ordered_search.sql",
    find: "WHEN new.`display_sort_key` IS NOT old.`display_sort_key` OR new.`display_rank` IS NULL BEGIN",
    replace: "WHEN 1 BEGIN",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "ordered-update-no-description",
    bug: "the ordered index does not follow a description-only update: its new words do not find the pack",
    file: "migrations/0019_display_ordered_search.sql",
    find: "AFTER UPDATE OF `display_rank`, `name`, `display_name`, `description`, `addon_type` ON `packs` BEGIN",
    replace: "AFTER UPDATE OF `display_rank`, `name`, `display_name`, `addon_type` ON `packs` BEGIN",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "rank-respace-always-above",
    bug: "a respace always goes above the highest rank, which grows past 2^63 and turns ranks into floats",
    file: "migrations/0019_display_ordered_search.sql",
    find: "        WHEN span.high < 4611686018427387904 - (span.n + 1) * 4294967296\n",
    replace: "        WHEN 1\n",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "sort-keys-by-code-unit",
    bug: "a release's new packs are sorted by UTF-16 code units, not as SQLite orders keys: an emoji lands before U+E000",
    file: "worker/domain/display-sort.ts",
    find: "    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;",
    replace: "    const difference = x.value.charCodeAt(0) - y.value.charCodeAt(0);",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "rank-respace-reuses-ranks",
    bug: "a run-out gap respaces the packs from the bottom, onto ranks still in use",
    file: "migrations/0019_display_ordered_search.sql",
    find: "          THEN span.high + row_number() OVER w * 4294967296\n",
    replace: "          THEN row_number() OVER w * 4294967296\n",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "rank-move-ignored",
    bug: "a renamed pack keeps its old rank, so searches list it in its old place",
    file: "migrations/0019_display_ordered_search.sql",
    find: "WHEN new.`display_sort_key` IS NOT old.`display_sort_key` OR new.`display_rank` IS NULL BEGIN",
    replace: "WHEN new.`display_rank` IS NULL BEGIN",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "ordered-index-keeps-deleted",
    bug: "a deleted pack stays in the ordered index",
    file: "migrations/0019_display_ordered_search.sql",
    find: "  DELETE FROM `pack_search_ordered` WHERE rowid = old.`display_rank`;\n",
    replace: "  SELECT 1;\n",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "search-index-follows-every-update",
    bug: "pack_search still follows every update of a packs row, the rank's too, and is told to delete a row it never held",
    file: "migrations/0019_display_ordered_search.sql",
    find: "CREATE TRIGGER `packs_search_update` AFTER UPDATE OF `name`, `display_name`, `description`, `addon_type` ON `packs`",
    replace: "CREATE TRIGGER `packs_search_update` AFTER UPDATE ON `packs`",
    tests: [T("display-order")],
    before: "n/a",
  },
  {
    id: "ordered-update-misses-current-rank",
    bug: "the ordered index's update trigger removes the old rank's entry only, not one a nested update wrote at the current rank",
    file: "migrations/0021_windowed_respace.sql",
    find: "  DELETE FROM `pack_search_ordered` WHERE rowid = (SELECT `display_rank` FROM `packs` WHERE rowid = new.rowid);\n",
    replace: "",
    tests: [T("display-rank")],
    before: "n/a",
    survives:
      "equivalent today: SQLite runs a statement's triggers newest first, and 0021 re-creates this one after the respace trigger, so it runs before a nested update writes the new rank; the guard keeps the index right (not a duplicate rowid) if that order changes",
  },
  // ── migration 0021: a gap that runs out respaces a window of packs, not the catalog ──
  {
    id: "respace-always-whole",
    bug: "every gap that runs out respaces the whole catalog (0019's cost: every pack's rank and index entry)",
    file: "migrations/0021_windowed_respace.sql",
    find: "    WHERE below IS NOT NULL OR above IS NOT NULL;",
    replace: "    WHERE 0;",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "respace-window-without-room",
    bug: "a window too tight for a step a pack is spaced out anyway: ranks collide or fall out of order",
    file: "migrations/0021_windowed_respace.sql",
    find: "OR (`high` - `low`) / (`n` + 1) < 256;",
    replace: "OR 0;",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "respace-window-in-place",
    bug: "the window's packs go straight to their places, where another of them may still hold that rank",
    file: "migrations/0021_windowed_respace.sql",
    find: "  UPDATE `packs` SET `display_rank` = max((SELECT max(`display_rank`) FROM `packs`), (SELECT `high` FROM `display_rank_window`)) + rowid\n",
    replace: "  UPDATE `packs` SET `display_rank` = `display_rank`\n",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "respace-parks-below-window-top",
    bug: "a window reaching past the last pack parks its packs just above the highest rank, on its own places",
    file: "migrations/0021_windowed_respace.sql",
    find: "max((SELECT max(`display_rank`) FROM `packs`), (SELECT `high` FROM `display_rank_window`)) + rowid",
    replace: "(SELECT max(`display_rank`) FROM `packs`) + rowid",
    tests: [T("display-rank")],
    before: "n/a",
  },
  {
    id: "ordered-update-deletes-others-entry",
    bug: "the ordered index's update removes whatever entry sits at the row's old rank, though a respace may have given it to another pack",
    file: "migrations/0021_windowed_respace.sql",
    find: "WHERE rowid = old.`display_rank` AND `name` = old.`name`;",
    replace: "WHERE rowid = old.`display_rank`;",
    tests: [T("display-rank")],
    before: "n/a",
    survives:
      "equivalent today: 0021 re-creates this trigger after the respace trigger, so SQLite runs it first and removes the old entry before a respace hands the rank on; the name check keeps the index right if that order changes",
  },
  {
    id: "respace-whole-also-with-window",
    bug: "the whole catalog is spaced out again even when a window was",
    file: "migrations/0021_windowed_respace.sql",
    find: "THEN (SELECT max(`display_sort_key`) FROM `packs`) || char(1) ELSE '' END",
    replace: "THEN '' ELSE '' END",
    tests: [T("display-rank")],
    before: "n/a",
  },
  // ── review-3: verify-bundle.sh reads a long release.json in linear time, the signature name's rule, keys as UTF-8 ──
  {
    id: "verify-bundle-copies-every-string",
    bug: "verify-bundle.sh keeps and decodes every string, read or not: a long embedded note takes hours under busybox awk",
    file: "worker/downloads/verify-bundle.ts",
    find: "    if (used()) pending = pending piece\n",
    replace: "    pending = pending piece\n",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-signature-name-rule",
    bug: "verify-bundle.sh takes a signature name the schema refuses (beyond 100 characters, or reserved)",
    file: "worker/downloads/verify-bundle.ts",
    find: "    else if (!plain(sig)) refuse(",
    replace: "    else if (0) refuse(",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-keys-escaped-nonascii",
    bug: "verify-bundle.sh keeps \\u00e9 as text: a key repeated as é and \\u00e9, which the sync refuses, passes",
    file: "worker/downloads/verify-bundle.ts",
    find: "      else out = out utf8of(code)\n",
    // the escape kept as text (spelled <uNNN> here, to need no backslashes in this file)
    replace: '      else out = out (code < 128 ? utf8of(code) : "<u" code ">")\n',
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-surrogate-pair-split",
    bug: "verify-bundle.sh reads \\ud83d\\ude00 as two lone surrogates, not the emoji a raw key spells",
    file: "worker/downloads/verify-bundle.ts",
    find: "if (low >= 56320 && low < 57344) { code =",
    replace: "if (0) { code =",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "verify-bundle-terminal-escapes",
    bug: "verify-bundle.sh prints bytes of a signed manifest as they are: ESC c or a C1 CSI in a literal or key reaches the terminal",
    file: "worker/downloads/verify-bundle.ts",
    find: '  function visible(v) { gsub(ctl, "?", v); gsub(del, "?", v); gsub(c1, "?", v); return v }',
    replace: "  function visible(v) { return v }",
    tests: ["test/e2e/verify-bundle-json.test.ts"],
    before: "n/a",
  },
  {
    id: "kept-manifest-any-status",
    bug: "a kept release.json is served for a release that is no longer published (quarantined, processing)",
    file: "worker/db/grant-queries.ts",
    find: '    r.status === "published" && r.manifestKey',
    replace: "    r.manifestKey",
    tests: [T("publish-read-plans")],
    before: "n/a",
  },
  {
    id: "page-details-for-every-version",
    bug: "a compatibility page reads every version's details, though most of its stretch is hidden",
    file: "worker/db/layer-candidates.ts",
    find: "CASE WHEN p.display_sort_key IN (SELECT key FROM candidates WHERE fits) THEN",
    replace: "CASE WHEN 1 THEN",
    tests: [T("compat-layer")],
    before: "n/a",
  },
  {
    id: "offered-without-details",
    bug: "a version read undetailed but offered by assessPack (its pack's kept ranges stale) is offered without its details",
    file: "worker/catalog/compatibility.ts",
    find: "  if (!undetailed.length) return offered as PackVersionSummary[];",
    replace: "  return offered as PackVersionSummary[];",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "compatible-default-page-50",
    bug: "/api/v1/compatible's default page is the old 50 packs, not the 20 API 1.2 documents",
    file: "worker/catalog/filters.ts",
    find: "    .default(20)\n",
    replace: "    .default(50)\n",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  // ── migration 0020: each version's child lists kept in one value for the compatibility check ──
  {
    id: "publish-keeps-no-assessed-lists",
    bug: "the publish batch does not keep a new version's child lists: every page reads them list by list",
    file: "worker/db/publish-batch.ts",
    find: "  statements.push(keepAssessedStatement(",
    replace: "  [].push(keepAssessedStatement(",
    tests: [T("sync")],
    before: "n/a",
  },
  {
    id: "layer-read-ignores-kept-lists",
    bug: "a layer page reads every version's five child lists though their kept value is there",
    file: "worker/db/layer-candidates.ts",
    find: "json(coalesce(pv.assessed, ",
    replace: "json(coalesce(NULL, ",
    tests: [T("compat-layer")],
    before: "n/a",
  },
  {
    id: "layer-read-needs-kept-lists",
    bug: "a version an older worker wrote (no kept lists) is read as having no arches, clouds, products or dependencies",
    file: "worker/db/layer-candidates.ts",
    find: "json(coalesce(pv.assessed, ",
    replace: "json(coalesce(pv.assessed, '[null,null,null,[],[]]', ",
    tests: [T("compat-layer")],
    before: "n/a",
  },
  {
    id: "recount-keeps-assessed-lists",
    bug: "the admin recount leaves versions without their kept child lists",
    file: "worker/db/counts/facets.ts",
    find: "    keepAssessedStatement(db, sql`1`),\n",
    replace: "",
    tests: [T("admin")],
    before: "n/a",
  },
  // ── the wizard's hidden versions on a page of their own ──
  {
    id: "hidden-link-drops-page",
    bug: "a later page's link to its hidden versions lists the first page's",
    file: "web/pages/bundle/layer.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "`/bundle/layers/${layer}/hidden${stateQuery(state, { q: searchOf(layer, q), page: page > 1 ? String(page) : undefined })}`",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "`/bundle/layers/${layer}/hidden${stateQuery(state, { q: searchOf(layer, q) })}`",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "hidden-page-back-drops-search",
    bug: "the hidden versions page leads back to the step without its search",
    file: "web/pages/bundle/layer.ts",
    find: "  stepHref(layer, state, { q: searchOf(layer, q), page:",
    replace: "  stepHref(layer, state, { page:",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "hidden-page-ignores-search",
    bug: "the hidden versions page lists hidden versions the step's search does not match",
    file: "web/pages/bundle/layer.ts",
    find: "  const hidden = search ? result.hidden.filter((v) => matchesSearch(v, search)) : result.hidden;",
    replace: "  const hidden = result.hidden;",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "hidden-groups-merge-reasons",
    bug: "a pack's hidden versions are folded into one entry though they are hidden for different reasons",
    file: "web/pages/bundle/layer.ts",
    find: "if (last?.name === v.name && last.reasons === reasons)",
    replace: "if (last?.name === v.name)",
    tests: [T("pages-logic")],
    before: "n/a",
  },
  {
    id: "hidden-search-on-every-layer",
    bug: "a one-pack layer's hidden versions page says it is searched for a q in its URL that narrows nothing",
    file: "web/pages/bundle/layer.ts",
    find: '(layer === "addon" && q) || undefined',
    replace: "q || undefined",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "hidden-page-past-last-says-nothing-hidden",
    bug: "a page number past the step's last says nothing is hidden, as if every version could go in",
    file: "web/pages/bundle/layer.ts",
    find: "  const empty = page > 1 && result.offered.length === 0",
    replace: "  const empty = false && result.offered.length === 0",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "backfill-drops-dependencies",
    bug: "migration 0020's backfill keeps no dependencies: every version published before it looks dependency-free",
    file: "migrations/0020_kept_assessed_lists.sql",
    find: "json((SELECT json_group_array(json_array(pack_name, layer, type, min_version, max_version)) FROM pack_dependencies WHERE pack_version_id = pack_versions.id)));",
    replace: "json('[]'));",
    tests: [T("compat-layer")],
    before: "n/a",
  },
  // ── API 1.3: a compatibility page is `limit` packs, fitting or not ──
  {
    id: "every-pack-page-counts-unpublished-packs",
    bug: "an API page counts packs whose every version is yanked: a page of them reads no rows and ends the paging",
    file: "worker/db/layer-candidates.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: "WHERE ${inLayer(layer)}${after} AND ${published} ORDER BY",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: "WHERE ${inLayer(layer)}${after} ORDER BY",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "compatible-page-counts-fitting-packs",
    bug: "an API page runs to the limit-th pack that may fit, carrying every pack in between (1.2's page)",
    file: "worker/catalog/compatibility.ts",
    find: "page: { after: cursor, limit, everyPack: true },",
    replace: "page: { after: cursor, limit, everyPack: false },",
    tests: [T("compat-pages")],
    before: "n/a",
  },
  {
    id: "every-pack-page-details-every-pack",
    bug: "a page counting every pack reads the details of packs that cannot fit too",
    file: "worker/db/layer-candidates.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: 'SELECT p.display_sort_key AS key, ${fits("p")} AS fits FROM packs p',
    replace: "SELECT p.display_sort_key AS key, 1 AS fits FROM packs p",
    tests: [T("compat-layer")],
    before: "n/a",
  },
  {
    id: "every-pack-page-details-nothing",
    bug: "a page counting every pack reads no details, so each offered version costs a second round trip",
    file: "worker/db/layer-candidates.ts",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    find: 'SELECT p.display_sort_key AS key, ${fits("p")} AS fits FROM packs p',
    replace: "SELECT p.display_sort_key AS key, 0 AS fits FROM packs p",
    tests: [T("compat-layer")],
    before: "n/a",
  },
];
// ── running ──────────────────────────────────────────────────────────────────────────────────────

type Outcome = "killed" | "survived" | "timeout" | "stale" | "n/a" | "applies";
type Result = { id: string; outcome: Outcome; file: string; seconds?: number; detail?: string };

const repo = resolve(dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
/** The last commit before the release-trust round (issue 7); --before scores the tree as it was. */
const BEFORE_REF = "e527ebc";
const before = flag("--before");
const ref = before ? BEFORE_REF : option("--ref");
const only = option("--only")?.split(",");
const checkOnly = flag("--check");
const RUN_TIMEOUT_MS = 5 * 60 * 1000;
/** An e2e run boots a local studio (wrangler dev, the demo catalog synced) before its tests. */
const E2E_TIMEOUT_MS = 20 * 60 * 1000;
/** The baseline runs every listed test file at once: minutes on a busy machine, so it gets longer. */
const BASELINE_TIMEOUT_MS = 30 * 60 * 1000;

const git = (...a: string[]) => spawnSync("git", a, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 26 });

/** A scratch copy of the tree at `ref` (or of the working tree, uncommitted files included). */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mutants-"));
  if (ref) {
    const archive = spawnSync("sh", ["-c", `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`], {
      cwd: repo,
      encoding: "utf8",
    });
    if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  } else {
    const files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0");
    for (const f of files.filter(Boolean)) {
      if (!existsSync(join(repo, f))) continue; // deleted in the working tree
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(repo, f), join(dir, f));
    }
  }
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** The mutant as it applies to the tree under test: its text and tests, or "n/a" (--before only). */
function variantOf(m: Mutant): Required<Variant> | "n/a" {
  const base = { file: m.file, find: m.find, replace: m.replace, tests: m.tests };
  if (!before || m.before === undefined) return base;
  if (m.before === "n/a") return "n/a";
  return { ...base, ...m.before };
}

type TestRun = { failed: boolean; timedOut: boolean; seconds: number; tail: string };

/** The files of each vitest project in turn (workerd first, the cheaper), stopping at the first that fails. */
function runTests(dir: string, tests: string[], timeout = RUN_TIMEOUT_MS): TestRun {
  const e2e = tests.filter((t) => t.startsWith("test/e2e/"));
  const workerd = tests.filter((t) => !e2e.includes(t));
  let seconds = 0;
  let last: TestRun | undefined;
  for (const [project, files, limit] of [
    ["workerd", workerd, timeout],
    ["e2e", e2e, Math.max(timeout, E2E_TIMEOUT_MS)],
  ] as const) {
    if (!files.length) continue;
    last = runProject(dir, project, files, limit);
    seconds += last.seconds;
    if (last.failed) break;
  }
  return { ...(last as TestRun), seconds };
}

function runProject(dir: string, project: "workerd" | "e2e", tests: string[], timeout: number): TestRun {
  const started = Date.now();
  const run = spawnSync(join(dir, "node_modules/.bin/vitest"), ["run", "--project", project, ...tests], {
    cwd: dir,
    encoding: "utf8",
    timeout,
    maxBuffer: 1 << 26,
    env: { ...process.env, PATH: `${join(dir, "node_modules/.bin")}:${process.env.PATH}`, CI: "", NO_COLOR: "1" },
  });
  const lines = `${run.stdout ?? ""}${run.stderr ?? ""}`.split("\n");
  // The first failing test names what caught the mutant ("FAIL  workerd  file > describe > test").
  const firstFailure = lines.find((l) => /^\s*FAIL\s/.test(l))?.replace(/^\s*FAIL\s+(\|?(workerd|e2e)\|?\s+)?/, "");
  const files = lines.find((l) => /Test Files .*failed/.test(l))?.trim();
  return {
    failed: run.status !== 0,
    // On a loaded machine a test can time out unmutated: such a failure proves nothing either way.
    timedOut: Boolean(run.error) || lines.some((l) => l.includes("TestTimeoutError")),
    seconds: (Date.now() - started) / 1000,
    tail: run.error ? String(run.error) : (firstFailure ?? files ?? `exit ${run.status}`),
  };
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

function main() {
  const mutants = only ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
  if (only && mutants.length !== only.length) throw new Error(`unknown mutant ids in --only ${only.join(",")}`);
  const dir = scratchCopy();
  const results: Result[] = [];
  try {
    console.log(`mutants of ${ref ?? "the working tree"} in ${dir}`);
    // The listed tests must pass on the unmutated copy, or every "kill" would mean nothing.
    if (!checkOnly && !flag("--no-baseline")) {
      const all = [
        ...new Set(mutants.flatMap((m) => (variantOf(m) === "n/a" ? [] : (variantOf(m) as Variant).tests!))),
      ];
      const baseline = runTests(dir, all, BASELINE_TIMEOUT_MS);
      if (baseline.failed && !baseline.timedOut)
        throw new Error(`the unmutated tests fail (${baseline.tail}); fix that first`);
      console.log(
        baseline.failed
          ? `baseline: tests timed out unmutated (${baseline.tail}): a mutant's timeout is reported as "timeout", not killed`
          : `baseline: ${all.length} test files pass unmutated (${baseline.seconds.toFixed(0)} s)`,
      );
    }
    for (const m of mutants) {
      const v = variantOf(m);
      if (v === "n/a") {
        results.push({ id: m.id, outcome: "n/a", file: m.file, detail: "the guard did not exist there" });
      } else {
        const path = join(dir, v.file);
        const original = existsSync(path) ? readFileSync(path, "utf8") : "";
        const matches = count(original, v.find);
        const missingTests = v.tests.filter((t) => !existsSync(join(dir, t)));
        if (matches !== 1 || missingTests.length) {
          results.push({
            id: m.id,
            outcome: "stale",
            file: v.file,
            detail: missingTests.length ? `missing ${missingTests.join(", ")}` : `text found ${matches} times`,
          });
        } else if (checkOnly) {
          results.push({ id: m.id, outcome: "applies", file: v.file, detail: "matches once (--check: not run)" });
        } else {
          writeFileSync(
            path,
            original.replace(v.find, () => v.replace),
          );
          try {
            const run = runTests(dir, v.tests);
            results.push({
              id: m.id,
              outcome: !run.failed ? "survived" : run.timedOut ? "timeout" : "killed",
              file: v.file,
              seconds: run.seconds,
              detail: run.failed ? run.tail : `${v.tests.join(" ")} pass`,
            });
          } finally {
            writeFileSync(path, original);
          }
        }
      }
      const r = results.at(-1)!;
      const time = r.seconds === undefined ? "" : ` (${r.seconds.toFixed(0)} s)`;
      console.log(`${r.outcome.padEnd(8)} ${m.id.padEnd(32)} ${r.file}${time}${r.detail ? `: ${r.detail}` : ""}`);
      if (r.outcome === "survived" && m.survives) console.log(`         known: ${m.survives}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const scored = results.filter((r) => r.outcome === "killed" || r.outcome === "survived");
  const killed = scored.filter((r) => r.outcome === "killed").length;
  const ids = (o: Outcome) => results.filter((r) => r.outcome === o).map((r) => r.id);
  console.log(`score: ${killed}/${scored.length} killed${checkOnly ? " (--check: applied only, not run)" : ""}`);
  console.log(
    JSON.stringify({
      ref: ref ?? "working-tree",
      killed,
      total: scored.length,
      survived: ids("survived"),
      timeout: ids("timeout"),
      stale: ids("stale"),
      na: ids("n/a"),
    }),
  );
  if (ids("stale").length) process.exitCode = 2;
}

main();
