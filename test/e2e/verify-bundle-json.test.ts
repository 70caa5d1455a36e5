// verify-bundle.sh (as the studio serves it, run by sh with openssl) reads a signed release.json as the
// studio's sync reads it (JSON.parse, then the schema): the same bytes get the same verdict from both.
// A size is a JSON number, so 1e3, 1E+3, 1000.0 and 10000e-1 are the size 1000 (the awk reader compared
// them as text and failed honest bundles); a leading BOM, CRLF line ends, another key order and names or
// digests spelled with \u escapes are what they are to JSON.parse. What the schema refuses in a field
// the script reads (a fractional, negative or unsafe size, a size in quotes, an upper-case sha256, a
// path for a file name, a file listed twice) fails, naming the manifest, the field and the file. Every
// case is run under dash, bash and busybox sh, and under busybox sh with busybox's own awk (as on
// Alpine), and each must say the same; the sync's verdict is worker/sync/release-checks.ts itself.
// Text JSON.parse cannot parse (a trailing comma, a comment, a raw tab in a string) fails too, and the
// reader itself is compared with the sync's reading on 300 generated documents, valid and spoiled.
// The publisher's `release sign` and `release check` read the same bytes the same way (a BOM is
// dropped, as the sync's decoder drops it; a byte that is not UTF-8 is refused in the sync's words).
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { check as releaseCheck } from "../../scripts/release/check";
import { sign } from "../../scripts/release/sign";
import { checkSignedManifest } from "../../worker/sync/release-checks";
import { readSignedJson } from "../../worker/sync/signed-json";
import { type CheckerLab, openCheckerLab, openssl, sha, signedBundle } from "./support/checker-lab";
import { run } from "./support/run";

const studioUrl = inject("studioUrl");
const RELEASE = "json-lab";
const FILE = "json-lab.iso";
const FILE_SIG = "json-lab.iso.sig.bin";
const MANIFEST = `releases/${RELEASE}/release.json`;

let lab: CheckerLab;
let work: string;
let checker: string;
let busyboxAwk: string;
const installer = Buffer.alloc(1000, "installer\n");

beforeAll(async () => {
  lab = await openCheckerLab(studioUrl, "verify-bundle-json-e2e-");
  ({ work, checker } = lab);
  // busybox's own awk first on PATH, as where awk is busybox (Alpine): its strtod reads the numbers.
  busyboxAwk = join(work, "busybox-awk");
  await mkdir(busyboxAwk);
  await writeFile(join(busyboxAwk, "awk"), '#!/bin/sh\nexec busybox awk "$@"\n', { mode: 0o755 });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The installer's entry, as JSON text: `size` and `sha256` spelled as given, `extra` keys appended. */
const entry = (size = "1000", sha256 = sha(installer), extra = "") =>
  `{"file":"${FILE}","signature":"${FILE_SIG}","size":${size},"sha256":"${sha256}",` +
  `"kind":"iso","product":"p-json-lab","productVersion":"1.0.0"${extra}}`;

/** A release.json the schema takes but for what a case changes: its files' entries as JSON text. */
const release = (files = entry()) =>
  `{"schemaVersion":1,"releaseId":"${RELEASE}","keyId":"lab","audience":"production",` +
  `"expiresAt":"${new Date(Date.now() + 86_400_000).toISOString()}","files":[${files}]}`;

/** A bundle whose release.json is `manifest` as written, everything signed as the studio and publisher sign it. */
const bundle = (manifest: string | Buffer) =>
  signedBundle(lab, {
    releaseId: RELEASE,
    file: { name: FILE, signature: FILE_SIG, bytes: installer },
    manifest,
    grant: "g-json-lab",
  });

/**
 * The checker under dash, bash, busybox sh and busybox sh with busybox awk: every one must say the same.
 * `timeout` only stops a reader that never finishes (exit 124 then fails the case), as one did on a long
 * string under busybox awk; an honest run takes well under a second.
 */
async function check(dir: string) {
  const { env } = lab;
  const alpine = { ...env, PATH: `${busyboxAwk}:${process.env.PATH}` };
  const stopped = (...command: string[]) => ["100", ...command, checker, dir];
  const [dash, ...others] = await Promise.all([
    run("timeout", stopped("sh"), work, env),
    run("timeout", stopped("bash"), work, env),
    run("timeout", stopped("busybox", "sh"), work, env),
    run("timeout", stopped("busybox", "sh"), work, alpine),
  ]);
  for (const other of others)
    expect({ code: other.code, stdout: other.stdout }).toEqual({ code: dash.code, stdout: dash.stdout });
  return dash;
}

/** The sync's verdict on the same signed bytes: null when it takes them, else its first finding. */
async function syncSays(dir: string): Promise<string | null> {
  const [bytes, signature, pem] = await Promise.all([
    readFile(join(dir, MANIFEST)),
    readFile(join(dir, `${MANIFEST}.sig.bin`)),
    readFile(join(work, "publisher.pem"), "utf8"),
  ]);
  const keys = [{ id: "lab", pem, revoked: false }];
  const signed = await checkSignedManifest(new Uint8Array(bytes), new Uint8Array(signature), RELEASE, keys, Date.now());
  return signed.ok ? null : signed.findings[0].problem;
}

/** An installer name of 97 characters: a file name may have 100, so its signature's (105) may not. */
const LONG_ISO = `${"j".repeat(93)}.iso`;
const crlfBom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
/** The digest with its first hex digit spelled as a \u escape, as JSON allows any character to be. */
const escapedSha = () => `\\u00${sha(installer).charCodeAt(0).toString(16)}${sha(installer).slice(1)}`;

describe("verify-bundle.sh reads release.json as the sync does", () => {
  it.each([
    ["a size in plain digits", release()],
    ["the size as 1e3", release(entry("1e3"))],
    ["the size as 1E3", release(entry("1E3"))],
    ["the size as 1e+3", release(entry("1e+3"))],
    ["the size as 1000.0", release(entry("1000.0"))],
    ["the size as 10000e-1", release(entry("10000e-1"))],
    ["the size as 0.1E4", release(entry("0.1E4"))],
    ["a size JSON.parse rounds to 1000 (1000.0000000000000001)", release(entry("1000.0000000000000001"))],
    [
      "a BOM, CRLF line ends, tabs and another key order",
      crlfBom(
        release(
          `{\r\n\t"sha256" : "${sha(installer)}",\r\n\t"size" : 1e3 ,\r\n\t"signature":"${FILE_SIG}",` +
            `"file":"${FILE}","kind":"iso","product":"p-json-lab","productVersion":"1.0.0"\r\n}`,
        ).replace(/,"/g, ',\r\n"'),
      ),
    ],
    [
      "names and the digest spelled with \\u escapes (\\u002d, \\u002E)",
      release(
        entry(undefined, escapedSha())
          .replace(`"${FILE}"`, '"json\\u002dlab.iso"')
          .replace(`"${FILE_SIG}"`, '"json-lab\\u002Eiso.sig.bin"'),
      ),
    ],
  ])("passes %s, as the sync takes it", async (_, manifest) => {
    const dir = await bundle(manifest);
    expect(await syncSays(dir)).toBeNull();
    const passed = await check(dir);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toContain(`${MANIFEST}: ✅ Signature valid (release ${RELEASE}, 1 files)`);
    expect(passed.stdout).toContain(`${FILE}: ✅ matches the bundle list and release ${RELEASE}'s signed manifest`);
    expect(passed.stdout).toContain("verify-bundle.sh: 4 files verified, 0 other files ignored");
  });

  it.each([
    ["a fractional size", release(entry("1000.5")), "files.0.size", "1000.5 is not a whole number of bytes"],
    ["a negative size", release(entry("-1000")), "files.0.size", "-1000 is negative"],
    ["a size beyond 2^53", release(entry("9007199254740993")), "files.0.size", "is more than 9007199254740991 bytes"],
    [
      "a size in quotes",
      release(entry('"1000"')),
      "files.0.size",
      "must be a JSON number (the size in bytes), not a string",
    ],
    [
      "an upper-case sha256",
      release(entry(undefined, sha(installer).toUpperCase())),
      "files.0.sha256",
      "must be 64 lower-case hex digits",
    ],
    [
      "a path for a file name",
      release(entry().replace(`"${FILE}"`, `"..\\/${FILE}"`).replace(`"${FILE_SIG}"`, `"../${FILE_SIG}"`)),
      "files.0.file",
      "must be a plain file name",
    ],
    ["a file listed twice", release(`${entry()},${entry()}`), "files.1", "is listed twice"],
    // review-3: the signature's name is a file name too (at most 100 characters, not a reserved name).
    [
      "a signature name beyond 100 characters",
      release(entry().replace(`"${FILE}"`, `"${LONG_ISO}"`).replace(`"${FILE_SIG}"`, `"${LONG_ISO}.sig.bin"`)),
      "files.0.signature",
      `${LONG_ISO}.sig.bin is not a plain file name of at most 100 characters`,
    ],
    [
      "a reserved signature name",
      release(entry().replace(`"${FILE}"`, '"release.json.zst"').replace(`"${FILE_SIG}"`, '"release.json.sig.bin"')),
      "files.0.signature",
      "release.json.sig.bin is not a plain file name of at most 100 characters, nor may it be a reserved name",
    ],
  ])("fails %s, as the sync refuses it, naming the field", async (_, manifest, field, words) => {
    expect(() => JSON.parse(manifest)).not.toThrow();
    const dir = await bundle(manifest);
    const problem = await syncSays(dir);
    expect(problem).toContain(`release.json: ${field}`);
    const refused = await check(dir);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    const line = refused.stdout.split("\n").find((l) => l.startsWith(`${MANIFEST}: ❌ ${field}`));
    expect(line, refused.stdout).toContain(words);
    expect(line).toContain("the studio's sync refuses this release.json too");
    expect(refused.stderr).toContain("verify-bundle.sh: FAILED: 3 of 4 files failed");
  });
});

/** release.json with the bytes of an encoded surrogate (ED A0 80) in a string: no UTF-8 decoder takes them. */
const notUtf8 = () => {
  const text = release();
  const at = text.indexOf('"iso"') + 4;
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from("eda080", "hex"), Buffer.from(text.slice(at))]);
};

describe("verify-bundle.sh refuses what JSON.parse cannot parse, as the sync does", () => {
  it.each([
    ["a trailing comma", release().replace("]}", ",]}"), "unexpected ] where a value was expected"],
    ["a comment", `/* signed */ ${release()}`, "not a JSON value: /*"],
    ["text after the document", `${release()} {}`, "unexpected { where the end of the document was expected"],
    [
      "a tab inside a string",
      release().replace('"kind":"iso"', '"kind":"iso\t"'),
      "a control character or an unknown escape",
    ],
    [
      "an escape JSON does not have",
      release().replace('"kind":"iso"', '"kind":"\\x69so"'),
      "a control character or an unknown escape",
    ],
    ["a byte that is not UTF-8 in a string (an encoded surrogate)", notUtf8(), "bytes that are not UTF-8 in a string"],
    ["a NUL byte in a string", release().replace('"kind":"iso"', '"kind":"iso\u0000"'), "a NUL byte"],
    // review-3: shown as ?, never written to the terminal (ESC c resets it)
    ["a terminal escape sequence in a size", release(entry("1000\u001bc")), "not a JSON value: 1000?c"],
  ])("fails %s, naming why", async (_, manifest, why) => {
    expect(readSignedJson("release.json", Buffer.from(manifest)).ok).toBe(false);
    const dir = await bundle(manifest);
    expect(await syncSays(dir)).toMatch(/^release\.json is not valid JSON: /);
    const refused = await check(dir);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain(`${MANIFEST}: ❌ not JSON as JSON.parse reads it (${why}`);
    expect([...refused.stdout].filter((c) => c < " " && c !== "\n")).toEqual([]);
    expect(refused.stderr).toContain("verify-bundle.sh: FAILED: 3 of 4 files failed");
  });
});

/** Deterministic pseudo-random numbers (a linear congruential generator), so a failure can be replayed. */
const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

// UTF-8 sequences, valid (é, €, an emoji, U+10FFFF) and not (a surrogate, overlong, cut short, stray bytes).
const UTF8_SEQUENCES = [
  "c3a9",
  "e282ac",
  "f09f9880",
  "f48fbfbf",
  "eda080",
  "c0af",
  "e08080",
  "f4908080",
  "e282",
  "80",
  "ff",
];

/** JSON documents of every shape: JSON.stringify of random values, respelled and spaced, some spoiled. */
function documents(count: number, random: () => number): Buffer[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const scalars = [
    0,
    -0,
    1.5,
    1e3,
    -12,
    123456789,
    true,
    false,
    null,
    "a",
    'x"y',
    "\\",
    "tab\tz",
    "é",
    "\u0001",
    "s/l",
    "",
  ];
  const keys = ["a", "files", "size", 'k"', "é", "n\\", ""];
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 3 || r < 0.3) return pick(scalars);
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(random() * 4) }, (_, i) => [pick(keys) + i, value(depth + 1)]),
    );
  };
  // Structure, quotes, escapes, number and literal letters, a tab, a newline, control characters and NUL, a BOM.
  const noise = [...`{}[]:,"\\ 0-+.etn/'\t\n\u0001\u0000x\ufeff`];
  const spoil = (t: string) => {
    const i = Math.floor(random() * (t.length + 1));
    const r = random();
    return t.slice(0, i) + (r < 0.4 ? "" : pick(noise)) + t.slice(r < 0.8 ? i + 1 : i);
  };
  return Array.from({ length: count }, () => {
    let text = JSON.stringify(value(0), null, random() < 0.3 ? pick([1, "\t", " \r\n"]) : undefined);
    if (random() < 0.3) text = text.replace(/\d+/g, (m) => pick([m, `${m}.0`, `${m}e0`, `${m}E+0`]));
    if (random() < 0.2)
      text = text.replace(/[a-z]/g, (c) => (random() < 0.3 ? `\\u00${c.charCodeAt(0).toString(16)}` : c));
    for (let n = random() < 0.5 ? Math.floor(random() * 3) + 1 : 0; n > 0; n--) text = spoil(text);
    const bytes = Buffer.from(random() < 0.1 ? `\ufeff${text}` : text);
    if (random() > 0.2) return bytes;
    const at = text.indexOf('"') + 1; // inside the first string (outside one, any such byte is no JSON)
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(UTF8_SEQUENCES), "hex"), bytes.subarray(at)]);
  });
}

describe("verify-bundle.sh's JSON reader takes exactly what JSON.parse takes", () => {
  it("agrees with the sync's reading on 300 generated documents, under mawk and busybox awk", async () => {
    // The reader itself (manifest_rows, from the script as served), fed each document as a file.
    const script = await readFile(checker, "utf8");
    const reader = script.slice(
      script.indexOf("manifest_rows() {"),
      script.indexOf("\n}\n", script.indexOf("manifest_rows() {")) + 3,
    );
    expect(reader).toMatch(/^manifest_rows\(\) \{[\s\S]*\n\}\n$/);
    const dir = await mkdtemp(join(work, "reader-"));
    await writeFile(join(dir, "reader.sh"), reader);
    const docs = documents(300, seeded(2026));
    const verdicts = { taken: 0, refused: 0 };
    for (const [i, bytes] of docs.entries()) {
      await writeFile(join(dir, `${i}.json`), bytes);
      // What the sync parses (a repeated key is refused apart, as "D", not as text that is not JSON).
      const read = readSignedJson("release.json", bytes);
      const syncTakes = read.ok || read.repeated !== undefined;
      verdicts[syncTakes ? "taken" : "refused"]++;
      for (const path of [process.env.PATH, `${busyboxAwk}:${process.env.PATH}`]) {
        const rows = await run("sh", ["-c", `. ./reader.sh; manifest_rows ${i}.json`], dir, { PATH: path ?? "" });
        const refused = /^E\tnot JSON/m.test(rows.stdout);
        const text = bytes.toString("hex");
        expect({ text, refused }).toEqual({ text, refused: !syncTakes });
      }
    }
    // Both kinds in number, or the comparison proves little.
    expect(Math.min(verdicts.taken, verdicts.refused), JSON.stringify(verdicts)).toBeGreaterThan(60);
  });
});

/** release.json with `extra` top-level keys (which the schema strips) written before its files. */
const releaseWith = (extra: Record<string, unknown>) => {
  const text = release();
  return `${text.slice(0, -1).replace('"files":', `${JSON.stringify(extra).slice(1, -1)},"files":`)}}`;
};

// review-3: the reader took time in the square of a string's length under busybox awk (its substr and
// length count bytes at each call, its gsub copies at each match): a signed 400 KB note took minutes.
describe("verify-bundle.sh reads a long release.json the sync takes", () => {
  it("passes a 3.9 MB release.json (long notes in ASCII and accented text, embedded JSON, a long list of numbers) under every shell and awk", async () => {
    const embedded = JSON.stringify(Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, "v"])));
    const manifest = releaseWith({
      notes: "x".repeat(1_400_000),
      notesJa: "日本語".repeat(140_000),
      sbom: embedded,
      parts: Array.from({ length: 90_000 }, (_, i) => i),
    });
    expect(Buffer.byteLength(manifest)).toBeGreaterThan(3_800_000);
    expect(Buffer.byteLength(manifest)).toBeLessThan(4 * 1024 * 1024);
    const dir = await bundle(manifest);
    expect(await syncSays(dir)).toBeNull();
    const passed = await check(dir);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toContain(`${MANIFEST}: ✅ Signature valid (release ${RELEASE}, 1 files)`);
  });

  it("fails a key repeated as a raw character and as its \\u escape, as the sync refuses it", async () => {
    for (const [raw, escaped, shown = raw] of [
      ["é", "\\u00e9"],
      ["😀", "\\ud83d\\ude00"],
      ["\u009b2J", "\\u009b2J", "?2J"], // a C1 control (CSI): shown as ?, never sent to the terminal
    ]) {
      const manifest = release().replace('"audience"', `"${raw}":1,"${escaped}":2,"audience"`);
      const dir = await bundle(manifest);
      expect(await syncSays(dir)).toBe(`release.json repeats the key "${raw}"`);
      const refused = await check(dir);
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stdout).toContain(`${MANIFEST}: ❌ repeats the key "${shown}"`);
    }
  });
});

/** A release folder as the publisher has it: the installer and release.json (`manifest` as written), unsigned. */
async function releaseFolder(manifest: Buffer): Promise<string> {
  const dir = join(await mkdtemp(join(work, "publisher-")), RELEASE);
  await mkdir(dir);
  await writeFile(join(dir, FILE), installer);
  await writeFile(join(dir, "release.json"), manifest);
  return dir;
}

describe("release sign and release check read release.json as the sync does", () => {
  const offline = (dir: string) =>
    releaseCheck({ dir, publicKeys: [`lab=${join(work, "publisher.pem")}`], audience: "production" });

  it("signs and checks a BOM-prefixed release.json with a size of 1e3, which the sync takes", async () => {
    const dir = await releaseFolder(crlfBom(release(entry("1e3"))));
    await sign({ dir, key: join(work, "publisher.key") });
    const checked = await offline(dir);
    expect(checked, JSON.stringify(checked)).toMatchObject({ ok: true, findings: [] });
    const [bytes, signature] = await Promise.all(
      ["release.json", "release.json.sig.bin"].map((f) => readFile(join(dir, f))),
    );
    const keys = [{ id: "lab", pem: await readFile(join(work, "publisher.pem"), "utf8"), revoked: false }];
    expect((await checkSignedManifest(bytes, signature, RELEASE, keys, Date.now())).ok).toBe(true);
  });

  it("refuses to sign a byte that is not UTF-8, in the words check and the sync use", async () => {
    const text = Buffer.from(release());
    text[text.indexOf('"p-json-lab"') + 1] = 0xff; // a lenient decoder would read U+FFFD and sign it
    const dir = await releaseFolder(text);
    await expect(sign({ dir, key: join(work, "publisher.key") })).rejects.toThrow(
      /^release\.json is not valid JSON: The encoded data was not valid for encoding utf-8$/,
    );
    await openssl(
      dir,
      "dgst",
      "-sha256",
      "-sign",
      join(work, "publisher.key"),
      "-out",
      "release.json.sig.bin",
      "release.json",
    );
    const checked = await offline(dir);
    expect(checked.ok).toBe(false);
    expect(checked.reason).toBe("release.json is not valid JSON: The encoded data was not valid for encoding utf-8");
  });
});
