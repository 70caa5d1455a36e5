// POST /api/v1/publish/plan reads its release.json as the sync reads the signed one
// (worker/sync/signed-json.ts): a key repeated at any depth, even one hidden by a \u escape, is a 400
// naming the key and where it is (Hono's JSON reading would have kept the last value and planned a
// document the sync quarantines); a byte that is not UTF-8 is a 400 too, where a lenient decoder
// would have planned U+FFFD. What the sync accepts, the plan plans the same way: a leading BOM and a
// size spelled 1e3 or 1000.0 (JSON numbers, as JSON.parse and the schema read them).
import { createHash, createSign } from "node:crypto";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { checkSignedManifest } from "../../worker/sync/release-checks";

const privateKeys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<string, string>;
const trusted = (JSON.parse(env.TRUSTED_PUBLIC_KEYS) as { id: string; pem: string }[]).map((k) => ({
  ...k,
  revoked: false,
}));
const ID = "plan-json";
const installer = "the installer's bytes";

/** release.json as text, `size` spelled as given, `extra` written into the file entry as is. */
const manifest = (size = String(installer.length), extra = "") =>
  `{"schemaVersion":1,"releaseId":"${ID}","keyId":"test-ec","audience":"production",` +
  `"expiresAt":"${new Date(Date.now() + 86_400_000).toISOString()}",` +
  `"products":[{"id":"p-plan-json","name":"P","applianceName":"P Appliance"}],` +
  `"files":[{"file":"${ID}.iso","signature":"${ID}.iso.sig.bin","size":${size},` +
  `"sha256":"${createHash("sha256").update(installer).digest("hex")}","kind":"iso","product":"p-plan-json",` +
  `"productVersion":"1.0.0"${extra}}]}`;

async function plan(body: BodyInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("http://studio.test/api/v1/publish/plan", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The sync's verdict on the same bytes, signed: its refusal, or null when it takes them. */
async function syncSays(bytes: Uint8Array): Promise<string | null> {
  const signature = createSign("sha256").update(bytes).sign(privateKeys["test-ec"]);
  const signed = await checkSignedManifest(bytes, new Uint8Array(signature), ID, trusted, Date.now());
  return signed.ok ? null : signed.findings[0].problem;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("POST /api/v1/publish/plan reads release.json as the sync does", () => {
  it("plans what the sync takes the same way: a BOM, a size spelled 1e3 or 1000.0", async () => {
    const honest = await plan(manifest());
    expect(honest.status, JSON.stringify(honest.body)).toBe(200);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(manifest())]);
    for (const body of [bom, utf8(manifest("21e0")), utf8(manifest("21.0")), utf8(manifest("2.1E+1"))]) {
      expect(await syncSays(body)).toBeNull();
      expect(await plan(body)).toEqual(honest);
    }
  });

  it.each([
    ["releaseId, the repeat last", `${manifest().slice(0, -1)},"releaseId":"other"}`, "releaseId", ""],
    [
      "releaseId, the repeat hidden by a \\u escape",
      `${manifest().slice(0, -1)},"release\\u0049d":"x"}`,
      "releaseId",
      "",
    ],
    ["sha256 in a file entry", manifest(undefined, `,"sha256":"${"0".repeat(64)}"`), "sha256", "files.0."],
  ])("refuses a repeated %s with a 400 naming the key, as the sync does", async (_, text, key, at) => {
    expect(() => JSON.parse(text)).not.toThrow();
    const answer = await plan(text);
    expect(answer.status).toBe(400);
    const problem = await syncSays(utf8(text));
    expect(problem).toBe(`release.json repeats the key "${key}"${at ? ` in ${at.slice(0, -1)}` : ""}`);
    expect(answer.body).toEqual({
      error: {
        code: "invalid_request",
        message: `${at}${key}: ${problem}`,
        details: [{ field: `${at}${key}`, message: problem }],
      },
    });
  });

  it("refuses a byte that is not UTF-8 with a 400 on the body, as the sync does", async () => {
    const text = manifest();
    const at = text.indexOf('"P Appliance"') + 2;
    const bytes = utf8(text);
    bytes[at] = 0xff; // "P" becomes a byte no UTF-8 text holds; a lenient decoder would read U+FFFD
    const problem = await syncSays(bytes);
    expect(problem).toMatch(/^release\.json is not valid JSON: /);
    const answer = await plan(bytes);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: "invalid_request", message: `body: ${problem}`, details: [{ field: "body", message: problem }] },
    });
  });
});
