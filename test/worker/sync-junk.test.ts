// A sync that cannot freeze: incoming/ is listed a page a run, resuming where the last run stopped
// (the cursor is kept in D1), and a folder still without a signed release.json ABANDONED_UPLOAD_HOURS
// after the sync first saw it is quarantined as an abandoned upload and never looked at again. R2
// calls are counted through a wrapping bucket; nothing is timed.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runSync } from "../../worker/sync/run";
import { FOLDERS_PER_RUN, nextFolderPage } from "../../worker/sync/folders";
import { primaryWriter } from "../../worker/db/client";
import { dropRelease, releaseRow } from "./support/releases";
import { releaseSettled } from "./support/sync";

const HOUR = 3600_000;
const JUNK = 5000;

type Calls = { list: number; head: number; get: number };

/** The sync's env with a bucket that counts the R2 calls made through it. */
function countingEnv(): { env: Env; calls: Calls } {
  const calls: Calls = { list: 0, head: 0, get: 0 };
  const bucket = new Proxy(env.ARTIFACTS, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (name === "list" || name === "head" || name === "get") calls[name]++;
        return value.apply(target, args);
      };
    },
  });
  return { env: { ...env, ARTIFACTS: bucket }, calls };
}

/** One run through the counting bucket: what it did and the R2 calls it made. */
async function countedRun(now: number) {
  const counted = countingEnv();
  const summary = await runSync(counted.env, { trigger: "cron", now });
  return { summary, calls: { ...counted.calls } };
}

const junkId = (i: number) => `000-junk-${String(i).padStart(5, "0")}`;

describe("junk folders under incoming/", () => {
  it("pages the listing after the last folder seen, never re-listing a folder's own keys", async () => {
    for (const key of ["a/x", "a/y", "a-b/x", "a0/x", "ab/x"]) await env.ARTIFACTS.put(`incoming/${key}`, "junk");
    const db = primaryWriter(env);
    expect(await nextFolderPage(env.ARTIFACTS, db, 1, 2)).toEqual(["a-b", "a"]);
    expect(await nextFolderPage(env.ARTIFACTS, db, 2, 2)).toEqual(["a0", "ab"]);
    // The end of the listing: the next page starts over.
    expect(await nextFolderPage(env.ARTIFACTS, db, 3, 2)).toEqual(["a-b", "a"]);
    for (const key of ["a/x", "a/y", "a-b/x", "a0/x", "ab/x"]) await env.ARTIFACTS.delete(`incoming/${key}`);
    await nextFolderPage(env.ARTIFACTS, db, 4, 2); // back to the start for the next test
  });

  it(`keeps a run's R2 calls flat with ${JUNK} junk folders, quarantines them as abandoned, and still publishes`, async () => {
    await dropRelease(env, "real-before", { packs: [{ name: "addon-real-before", version: "1.0.0" }] });
    await runSync(env, { trigger: "cron" });
    await releaseSettled("real-before");
    expect((await releaseRow(env, "real-before"))!.status).toBe("published");
    const start = Date.now();
    const baseline = await countedRun(start);
    expect(baseline.summary.listed).toBe(1);

    for (let i = 0; i < JUNK; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => env.ARTIFACTS.put(`incoming/${junkId(i + j)}/part-0001.bin`, "x")),
      );
    await dropRelease(env, "zz-real-new", { packs: [{ name: "addon-real-new", version: "1.0.0" }] });

    // The first day: each run looks at one page, one head per folder without release.json, whatever the junk.
    const passes = Math.ceil((JUNK + 2) / FOLDERS_PER_RUN);
    const firstDay = [];
    for (let run = 0; run < passes; run++) firstDay.push(await countedRun(start + run * 1000));
    for (const { calls, summary } of firstDay) {
      expect(calls.list).toBe(1);
      expect(calls.head).toBeLessThanOrEqual(FOLDERS_PER_RUN + 2);
      expect(summary.listed).toBeLessThanOrEqual(FOLDERS_PER_RUN);
    }
    // Each run resumed where the last stopped: together they looked at every folder once.
    expect(firstDay.flatMap((r) => r.summary.uploading)).toHaveLength(JUNK);
    expect(firstDay[1].summary.uploading[0]).toBe(junkId(FOLDERS_PER_RUN));
    // The new release behind the junk was found in the same pass.
    expect(firstDay.flatMap((r) => r.summary.verifying)).toContain("zz-real-new");
    await releaseSettled("zz-real-new");
    expect((await releaseRow(env, "zz-real-new"))!.status).toBe("published");

    // A day later, one more pass quarantines every junk folder as an abandoned upload.
    const dayLater = start + 25 * HOUR;
    const abandoned: string[] = [];
    for (let run = 0; run < passes; run++) {
      const { summary } = await countedRun(dayLater + run * 1000);
      abandoned.push(...summary.quarantined.map((q) => q.releaseId));
      expect(summary.uploading).toEqual([]);
    }
    expect(abandoned).toHaveLength(JUNK);
    expect(await releaseRow(env, junkId(4321))).toMatchObject({
      status: "quarantined",
      reason: expect.stringMatching(/^abandoned upload: no signed release.json 24 h after/),
    });

    // From then on the junk costs no head at all: a run makes the calls it made without junk.
    const after = await countedRun(dayLater + passes * 1000);
    expect(after.calls).toEqual(baseline.calls);
    expect(after.summary.quarantined).toEqual([]);
  }, 600_000);
});
