// A release holding a file larger than a Worker's 128 MB of memory: the helper generates and uploads
// it as a stream, and the sync must hash and verify it as a stream too, or the isolate would die.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { primary } from "../../worker/db/client";
import { packVersions } from "../../worker/db/schema";
import { dropRelease, releaseRow } from "./support/releases";
import { syncAndSettle } from "./support/sync";

// 180 MiB plus an odd tail, so the last chunk is a partial one.
const LARGE = 180 * 1024 * 1024 + 12_345;

describe("catalog sync: large artifacts", () => {
  it("verifies and publishes a file larger than the Worker's memory, streamed end to end", async () => {
    const dropped = await dropRelease(env, "large", {
      packs: [{ name: "edge-os", version: "22.4.5", layer: "os", size: LARGE }],
    });
    expect((await env.ARTIFACTS.head("incoming/large/edge-os-22.4.5.zst"))!.size).toBe(LARGE);

    const summary = await syncAndSettle(env, { trigger: "cron" });

    expect(summary.quarantined).toEqual([]);
    expect(summary.published).toEqual(["large"]);
    const row = await primary(env).select().from(packVersions).where(eq(packVersions.id, "edge-os@22.4.5")).get();
    expect(row).toMatchObject({ size: LARGE, sha256: dropped.files["edge-os-22.4.5.zst"].sha256 });
    expect((await releaseRow(env, "large"))!.details).toMatchObject({
      verified: [{ file: "edge-os-22.4.5.zst", bytes: LARGE }],
    });
  }, 600_000);
});
