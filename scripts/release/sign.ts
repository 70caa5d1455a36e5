// `release sign <dir>`: every artifact's .sig.bin, then release.json.sig.bin, in the form
// `openssl dgst -sha256 -sign` writes (DER ECDSA P-256, or RSA PKCS#1 v1.5). With --key the key
// is a PEM file; with --sign-command an external signer (HSM, PKCS#11, cloud KMS) gets the data, or
// with --digest its 32-byte SHA-256, on stdin and answers the signature on stdout, so the key never
// touches this disk. With --public-key each signature is checked before it is written.
import { spawn } from "node:child_process";
import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { RELEASE_JSON, RELEASE_JSON_SIGNATURE, releaseManifest } from "../../worker/sync/release-manifest";
import { MAX_SIGNATURE_BYTES } from "../../worker/sync/release-checks";
import { readSignedJson } from "../../worker/sync/signed-json";
import { verifyDigest } from "../../worker/sync/signatures";
import { hashFile, pool, STREAM_CHUNK, UsageError } from "./files";

export const signHelp = `Usage: npm run release -- sign <dir> (--key FILE | --sign-command CMD [--digest]) [--public-key FILE]

Signs every file release.json lists, then release.json itself, writing each .sig.bin beside it:
the same DER signatures \`openssl dgst -sha256 -sign KEY -out X.sig.bin X\` makes (ECDSA P-256, RSA).

Options:
  --key FILE            a PEM private key (PKCS#8 or traditional)
  --sign-command CMD    an external signer run with sh -c: the data on stdin (or, with --digest, the raw
                        32-byte SHA-256), the DER signature on stdout. The environment carries
                        SIGN_FILE (the path) and SIGN_SHA256 (hex). Examples:
                          --sign-command 'openssl dgst -sha256 -sign /secure/key.pem'
                          --digest --sign-command 'openssl pkeyutl -sign -inkey /secure/key.pem -pkeyopt digest:sha256'
  --digest              hand the signer the SHA-256 instead of the data (what KMS and PKCS#11 sign)
  --public-key FILE     check every signature with this public key before writing it
  --parallel N          files signed at once (default 4)`;

export type SignOptions = {
  dir: string;
  key?: string;
  signCommand?: string;
  digest?: boolean;
  publicKey?: string;
  parallel?: number;
};

type Signer = (path: string, digest: Buffer) => Promise<Buffer>;

async function keySigner(keyPath: string): Promise<Signer> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(keyPath));
  } catch (err) {
    throw new UsageError(`--key ${keyPath}: not a private key (${err instanceof Error ? err.message : String(err)})`);
  }
  return async (path) => {
    const signer = createSign("sha256");
    await pipeline(createReadStream(path, { highWaterMark: STREAM_CHUNK }), signer);
    return signer.sign({ key, dsaEncoding: "der" });
  };
}

function commandSigner(command: string, digestOnly: boolean): Signer {
  return (path, digest) =>
    new Promise((done, fail) => {
      const child = spawn("sh", ["-c", command], {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, SIGN_FILE: path, SIGN_SHA256: digest.toString("hex") },
      });
      const out: Buffer[] = [];
      let err = "";
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.once("error", fail);
      child.stdin.on("error", () => {}); // a signer that reads only what it needs may close early
      child.once("close", (code) => {
        const signature = Buffer.concat(out);
        if (code !== 0) fail(new UsageError(`--sign-command failed on ${path} (exit ${code}): ${err.trim()}`));
        else if (signature.byteLength === 0 || signature.byteLength > MAX_SIGNATURE_BYTES)
          fail(new UsageError(`--sign-command answered ${signature.byteLength} bytes for ${path}: not a signature`));
        else done(signature);
      });
      if (digestOnly) child.stdin.end(digest);
      else createReadStream(path, { highWaterMark: STREAM_CHUNK }).pipe(child.stdin);
    });
}

/** Signs the listed files, then release.json; answers how many signatures were written. */
export async function sign(opts: SignOptions): Promise<{ signed: string[] }> {
  const dir = resolve(opts.dir);
  if (!opts.key === !opts.signCommand) throw new UsageError("give exactly one of --key FILE or --sign-command CMD");
  const signer = opts.key ? await keySigner(opts.key) : commandSigner(opts.signCommand as string, !!opts.digest);
  const publicPem = opts.publicKey ? await readFile(opts.publicKey, "utf8") : undefined;
  const manifestPath = join(dir, RELEASE_JSON);
  // Read as the sync reads it (a BOM dropped, strict UTF-8), so nothing is signed that it would refuse,
  // and nothing it takes is refused here. Never sign a document two readers would read differently.
  const read = readSignedJson(RELEASE_JSON, await readFile(manifestPath));
  if (!read.ok) throw new UsageError(read.repeated ? `${read.problem}: write each key once, then sign` : read.problem);
  const parsed = releaseManifest.safeParse(read.json);
  if (!parsed.success)
    throw new UsageError(`release.json: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`);

  const signOne = async (file: string, signatureFile: string) => {
    const path = join(dir, file);
    const { digest } = await hashFile(path);
    const signature = await signer(path, digest);
    if (publicPem && !verifyDigest(digest, signature, publicPem))
      throw new UsageError(`${file}: the signature does not verify with --public-key ${opts.publicKey}`);
    await writeFile(join(dir, signatureFile), signature);
    return file;
  };
  // The manifest last: it is the release's "complete" mark, signed only over files already signed.
  const signed = await pool(parsed.data.files, opts.parallel ?? 4, (f) => signOne(f.file, f.signature));
  signed.push(await signOne(RELEASE_JSON, RELEASE_JSON_SIGNATURE));
  return { signed };
}
