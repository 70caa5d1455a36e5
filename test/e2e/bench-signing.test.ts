// The catalog benchmark signs its tens of thousands of files in-process with node:crypto instead of
// running openssl once per file; the real openssl CLI must verify what it signs, exactly as users
// verify the studio's files, and must still refuse a changed byte.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSigner } from "../../scripts/bench-catalog-data";
import { type DemoKey, ensureDemoKey } from "../../scripts/demo-catalog";

const run = promisify(execFile);

let work: string;
let key: DemoKey;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "bench-signing-"));
  key = await ensureDemoKey(join(work, "keys")); // an ECDSA P-256 key made by openssl genpkey
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function opensslVerifies(file: string, signature: string): Promise<boolean> {
  try {
    const { stdout } = await run("openssl", [
      "dgst",
      "-sha256",
      "-verify",
      key.publicKeyPath,
      "-signature",
      signature,
      file,
    ]);
    return stdout.trim() === "Verified OK";
  } catch {
    return false;
  }
}

describe("the benchmark's node:crypto signer", () => {
  it("writes signatures openssl dgst -verify accepts, and that refuse a changed byte", async () => {
    const file = join(work, "pack-1.0.0.zst");
    const signature = join(work, "pack-1.0.0.sig.bin");
    const bytes = Buffer.from("a pack's bytes ".repeat(1000));
    await writeFile(file, bytes);
    await nodeSigner()(key, file, signature);
    expect(await opensslVerifies(file, signature)).toBe(true);
    bytes[bytes.length >> 1] ^= 0x01;
    await writeFile(file, bytes);
    expect(await opensslVerifies(file, signature)).toBe(false);
  });
});
