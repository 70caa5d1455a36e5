// Streaming verification of one artifact in one pass: each byte is hashed once, by a SHA-256
// DigestStream, and the signature is then checked against that digest, so memory stays flat and the
// CPU cost is one hash whatever the file size. Signatures are what `openssl dgst -sha256 -sign`
// writes: DER ECDSA P-256, or RSA PKCS#1 v1.5.
import { hex } from "../encoding";
import { verifyDigest } from "./signatures";

// The node types shadow the Workers `crypto` global, whose DigestStream lives there and not globally.
export const WorkersCrypto = crypto as unknown as { DigestStream: typeof DigestStream };

type Measurement = { bytes: number; sha256: string; signatureValid: boolean };

/**
 * Reads `body` once. Each chunk also goes to `copy`, if given, so what gets stored is exactly what
 * was measured (its backpressure paces the read).
 */
export async function measureAndVerify(
  body: ReadableStream<Uint8Array>,
  signature: Uint8Array,
  publicKeyPem: string,
  copy?: WritableStreamDefaultWriter<Uint8Array>,
): Promise<Measurement> {
  const digest = new WorkersCrypto.DigestStream("SHA-256");
  const hashWriter = digest.getWriter();
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    await hashWriter.write(value);
    if (copy) await copy.write(value);
  }
  await hashWriter.close();
  const sha256 = new Uint8Array(await digest.digest);
  return { bytes, sha256: hex(sha256), signatureValid: verifyDigest(sha256, signature, publicKeyPem) };
}

export { verifyBytes, verifyDigest } from "./signatures";
