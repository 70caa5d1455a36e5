// Media-sized parts: every part is the byte range of the one deterministic bundle.tar, so the parts
// rejoin to it exactly; boundaries (first, middle and last part, an exact division, a one-part tar),
// PARTS.SHA256SUMS, join-and-verify.sh, the part listing in bundle.curl/urls.txt, and bad sizes.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_MIN_PART_BYTES, partChecksums, partRange } from "../../worker/downloads/parts";
import { partCount, partSuffix } from "../../worker/domain/vocabulary";
import { syncAndSettle } from "./support/sync";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";

const sha256Hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

let links: Record<string, string>;
let id: string;
let whole: Uint8Array;
/**
 * A third of the tar, rounded up: three parts (the last one shorter) whatever the tar's scripts weigh.
 * A fixed 128 KiB broke when verify-bundle.sh grew and the ~400 KB tar needed a fourth part.
 */
let thirdOfTar: number;

const part = (n: string, size: number | string) =>
  exports.default.fetch(`${links["bundle.tar"]}.part-${n}?size=${size}`);
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

beforeAll(async () => {
  await dropRelease(env, "parts-2026-11-0", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.2", layer: "cni", size: 200_001 },
      { name: "kubernetes", version: "1.32.3", layer: "k8s", size: 150_000 },
    ],
  });
  await syncAndSettle(env);
  const res = await exports.default.fetch("http://studio.test/api/v1/grants", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      packs: [
        { name: "cni-calico", version: "3.29.2" },
        { name: "kubernetes", version: "1.32.3" },
      ],
    }),
  });
  ({ id, links } = (await res.json()) as { id: string; links: Record<string, string> });
  whole = await bytesOf(await exports.default.fetch(links["bundle.tar"]));
  thirdOfTar = Math.ceil(whole.byteLength / 3);
});

describe("bundle.tar in parts", () => {
  it("cuts first, middle and last parts as byte ranges of the tar that rejoin it exactly", async () => {
    const size = thirdOfTar;
    expect(size).toBeGreaterThanOrEqual(LOCAL_MIN_PART_BYTES);
    const count = partCount(whole.byteLength, size);
    expect(count).toBe(3); // ~350 KB of pack files plus the bundle's manifests and scripts
    const parts: Uint8Array[] = [];
    for (let n = 1; n <= count; n++) {
      const res = await part(String(n).padStart(3, "0"), size);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Disposition")).toBe(
        `attachment; filename="artifact-studio-${id}.tar.${partSuffix(n, count)}"`,
      );
      const bytes = await bytesOf(res);
      const { start, end } = partRange(whole.byteLength, size, n);
      expect(res.headers.get("Content-Length")).toBe(String(end - start));
      expect(bytes).toEqual(whole.subarray(start, end));
      parts.push(bytes);
    }
    expect(parts[0].byteLength).toBe(size);
    expect(parts[2].byteLength).toBe(whole.byteLength - 2 * size);
    const joined = new Uint8Array(whole.byteLength);
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.byteLength;
    }
    expect(await sha256Hex(joined)).toBe(await sha256Hex(whole));
    expect((await part("004", size)).status).toBe(404);
  });

  it("splits exactly when the size divides the tar: two full parts and no third", async () => {
    const size = whole.byteLength / 2;
    expect(Number.isInteger(size)).toBe(true);
    const [first, second] = [await part("001", size), await part("002", size)];
    expect((await bytesOf(first)).byteLength).toBe(size);
    expect(await bytesOf(second)).toEqual(whole.subarray(size));
    const third = await part("003", size);
    expect(third.status).toBe(404);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain("has 2 parts");
  });

  it("is one part, the whole tar, when the size is larger (a DVD)", async () => {
    const res = await part("001", "dvd");
    expect(await bytesOf(res)).toEqual(whole);
    expect((await part("002", "dvd")).status).toBe(404);
    expect((await part("1", "dvd")).status).toBe(404); // parts are named part-001, never part-1
  });

  it("PARTS.SHA256SUMS and join-and-verify.sh carry each part's sha256", async () => {
    const size = thirdOfTar;
    const sums = await (
      await exports.default.fetch(`${links["bundle.tar"].replace(/bundle\.tar$/, "PARTS.SHA256SUMS")}?size=${size}`)
    ).text();
    const lines = sums.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (let n = 1; n <= 3; n++) {
      const { start, end } = partRange(whole.byteLength, size, n);
      expect(lines[n - 1]).toBe(
        `${await sha256Hex(whole.subarray(start, end))}  artifact-studio-${id}.tar.part-00${n}`,
      );
    }
    const script = await (
      await exports.default.fetch(`${links["bundle.tar"].replace(/bundle\.tar$/, "join-and-verify.sh")}?size=${size}`)
    ).text();
    expect(script).toContain(`part 'artifact-studio-${id}.tar.part-002' ${lines[1].split("  ")[0]}`);
    expect(script).toContain(await sha256Hex(whole));
    // The user's own checker when given, else the bundle's, run from the parts' folder on the bundle's.
    expect(script).toContain(`sh "\${VERIFY_BUNDLE:-artifact-studio-${id}/verify-bundle.sh}" 'artifact-studio-${id}'`);
  });

  it("bundle.curl and urls.txt list the parts instead of the files", async () => {
    const curl = await (await exports.default.fetch(`${links["bundle.curl"]}?parts=${thirdOfTar}`)).text();
    const outputs = [...curl.matchAll(/^output = "(.*)"$/gm)].map((m) => m[1]);
    expect(outputs).toEqual([
      `artifact-studio-${id}.tar.part-001`,
      `artifact-studio-${id}.tar.part-002`,
      `artifact-studio-${id}.tar.part-003`,
      "PARTS.SHA256SUMS",
      "join-and-verify.sh",
    ]);
    const urls = (await (await exports.default.fetch(`${links["urls.txt"]}?parts=dvd`)).text()).trim().split("\n");
    expect(urls).toHaveLength(3);
    expect(urls[0]).toBe(`${links["bundle.tar"]}.part-001?size=4700000000`);
  });

  it("refuses a size that is not a preset or is below the minimum, naming the field", async () => {
    for (const [res, field] of [
      [await part("001", "floppy"), "size"],
      [await part("001", LOCAL_MIN_PART_BYTES - 1), "size"],
      [await exports.default.fetch(`${links["bundle.curl"]}?parts=12`), "parts"],
    ] as const) {
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.details[0].field).toBe(field);
    }
  });
});

describe("partChecksums (pure)", () => {
  it("hashes each slice and the whole in one pass, whatever the chunking", async () => {
    const data = new Uint8Array(1000).map((_, i) => i % 251);
    const chunks = [data.subarray(0, 7), data.subarray(7, 500), data.subarray(500)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(chunk);
        c.close();
      },
    });
    const sums = await partChecksums(stream, 300);
    expect(sums.whole).toBe(await sha256Hex(data));
    expect(sums.parts).toEqual([
      await sha256Hex(data.subarray(0, 300)),
      await sha256Hex(data.subarray(300, 600)),
      await sha256Hex(data.subarray(600, 900)),
      await sha256Hex(data.subarray(900)),
    ]);
  });
});
