// A signed release.json that repeats a key is refused: JSON.parse keeps the last value, other readers
// (verify-bundle.sh's awk reader among them) the first, so two readers of one signed document could
// disagree on its release id, its files or their sha256. The sync quarantines it with a reason naming
// the key (top level, nested, and a repeat hidden by a \u escape in the key's name), publishes none
// of it, and `release check`'s shared manifest check predicts that very line. Each repeat below puts
// a decoy first and the honest value last, so without the guard the release would publish.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { catalogGeneration } from "../../worker/catalog/generation";
import { primary } from "../../worker/db/client";
import { publishConfigSchema } from "../../worker/publish/schemas";
import { releaseFolder } from "../../worker/storage";
import { reasonLine } from "../../worker/sync/plan";
import { checkSignedManifest } from "../../worker/sync/release-checks";
import type { ReleaseManifest } from "../../worker/sync/release-manifest";
import { firstRepeatedKey, repeatedKeyProblem } from "../../worker/sync/repeated-keys";
import { dropRelease, releaseRow, rowsPublishedBy } from "./support/releases";
import { syncAndSettle } from "./support/sync";

describe("firstRepeatedKey: exactly the keys JSON.parse would drop a value of", () => {
  it("finds a repeat at the top level and in nested objects, with the path to its object", () => {
    expect(firstRepeatedKey('{"a":1,"b":2,"a":3}')).toEqual({ key: "a", path: [] });
    expect(firstRepeatedKey('{"x":[{"a":1},{"a":1,"b":{"c":0,"c":1}}]}')).toEqual({ key: "c", path: ["x", 1, "b"] });
    expect(firstRepeatedKey('[0, [1, {"k": null, "k": true}]]')).toEqual({ key: "k", path: [1, 1] });
    // Values ending in escaped quotes and backslash runs: a string ends after an even run of backslashes.
    expect(firstRepeatedKey('{"a":"\\"\\\\","b":"\\\\\\"","a":2}')).toEqual({ key: "a", path: [] });
  });

  it("decodes keys as JSON.parse does: escapes, surrogate pairs, __proto__", () => {
    expect(firstRepeatedKey('{"releaseId":"a","release\\u0049d":"b"}')?.key).toBe("releaseId");
    expect(firstRepeatedKey('{"a\\/b":1,"a/b":2}')?.key).toBe("a/b");
    expect(firstRepeatedKey('{"\\ud83d\\ude00":1,"😀":2}')?.key).toBe("😀");
    expect(firstRepeatedKey('{"__proto__":1,"__proto__":2}')?.key).toBe("__proto__");
    expect(firstRepeatedKey('{"a\\\\":1,"a\\\\\\\\":2,"a\\"":3}')).toBeNull();
  });

  it("finds nothing where JSON.parse keeps every value: siblings, values that look like structure", () => {
    expect(firstRepeatedKey('{"files":[{"file":"a","size":1},{"file":"b","size":2}]}')).toBeNull();
    expect(firstRepeatedKey('{"a":{"a":{"a":[]}},"b":"\\"a\\": {\\"a\\"","c":"}, \\"a\\": ["}')).toBeNull();
    expect(firstRepeatedKey('{"a":{},"b":[{}],"c":"x","d":[]}')).toBeNull();
    expect(firstRepeatedKey('{"A":1,"a":2,"a ":3}')).toBeNull();
  });

  it("words the refusal with the key shown safely, and its object's path", () => {
    expect(repeatedKeyProblem("release.json", '{"files":[{"sha256":"x","sha256":"y"}]}')).toBe(
      'release.json repeats the key "sha256" in files.0',
    );
    expect(repeatedKeyProblem("release.json", '{"a\\nb":1,"a\\u000ab":2}')).toBe(
      'release.json repeats the key "a\\nb"',
    );
    expect(repeatedKeyProblem("release.json", '{"a":1}')).toBeNull();
  });
});

/** The studio as a client reaches it. */
async function studio(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://studio.test${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** What `release check --studio` says of the release.json and signature in the folder (nothing else is read first). */
async function checkPredicts(releaseId: string): Promise<string | null> {
  const config = publishConfigSchema.parse(await (await studio("/api/v1/publish/config")).json());
  const read = async (name: string) =>
    new Uint8Array(await (await env.ARTIFACTS.get(`${releaseFolder(releaseId)}${name}`))!.arrayBuffer());
  const signed = await checkSignedManifest(
    await read("release.json"),
    await read("release.json.sig.bin"),
    releaseId,
    config.keys,
    Date.now(),
  );
  return signed.ok ? null : reasonLine(signed.findings);
}

/** The honest manifest's text with `decoy` written in front of its own keys (the honest values come last). */
const withDecoy = (decoy: string) => (m: ReleaseManifest) => `{${decoy},${JSON.stringify(m).slice(1)}`;

/** Drops a one-pack release with `releaseJson` as written (signed by its key), syncs, and checks nothing landed. */
async function expectRefused(releaseId: string, releaseJson: (m: ReleaseManifest) => string, reason: string) {
  const db = primary(env);
  const generation = await catalogGeneration(db);
  await dropRelease(env, releaseId, { packs: [{ name: `zz-${releaseId}`, version: "1.0.0" }], releaseJson });
  expect(await checkPredicts(releaseId)).toBe(reason);

  const summary = await syncAndSettle(env, { trigger: "cron" });
  expect(summary.published).toEqual([]);
  expect(summary.quarantined).toEqual([{ releaseId, reason }]);
  expect(await releaseRow(env, releaseId)).toMatchObject({ status: "quarantined", reason });
  expect(await rowsPublishedBy(env, releaseId)).toEqual({ packVersions: 0, releaseArtifacts: 0, productVersions: 0 });
  expect(await catalogGeneration(db)).toBe(generation);
}

describe("the sync refuses a signed release.json that repeats a key; check predicts it", () => {
  it("a repeated releaseId at the top level", async () => {
    await expectRefused(
      "dup-top",
      withDecoy('"releaseId":"dup-elsewhere"'),
      'release.json repeats the key "releaseId"',
    );
  });

  it("a repeated sha256 inside a file entry", async () => {
    await expectRefused(
      "dup-nested",
      (m) => {
        const text = JSON.stringify(m);
        return text.replace('"sha256":', `"sha256":"${"0".repeat(64)}","sha256":`);
      },
      'release.json repeats the key "sha256" in files.0',
    );
  });

  it("a repeat hidden by a \\u escape in the key's name", async () => {
    await expectRefused(
      "dup-escaped",
      withDecoy('"release\\u0049d":"dup-elsewhere"'),
      'release.json repeats the key "releaseId"',
    );
  });

  it("a key written with an escape but not repeated publishes, as JSON.parse reads it", async () => {
    const releaseId = "escaped-once";
    await dropRelease(env, releaseId, {
      packs: [{ name: `zz-${releaseId}`, version: "1.0.0" }],
      releaseJson: (m) => JSON.stringify(m).replace('"releaseId":', '"release\\u0049d":'),
    });
    expect(await checkPredicts(releaseId)).toBeNull();
    expect((await syncAndSettle(env, { trigger: "cron" })).published).toEqual([releaseId]);
  });
});
