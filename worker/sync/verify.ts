// Streaming verification of one artifact: a single pass over the R2 body feeds both a SHA-256
// DigestStream and an incremental signature verifier, so memory stays flat whatever the file size.
import { Buffer } from "node:buffer";
import { createVerify } from "node:crypto";
import { hex } from "../encoding";

// The node types shadow the Workers `crypto` global, whose DigestStream lives there and not globally.
export const WorkersCrypto = crypto as unknown as { DigestStream: typeof DigestStream };

type Measurement = { bytes: number; sha256: string; signatureValid: boolean };

/**
 * Reads `body` once. `signature` is what `openssl dgst -sha256 -sign` writes (DER ECDSA or
 * PKCS#1 v1.5 RSA); node:crypto picks the scheme from the key type. Each chunk also goes to `copy`,
 * if given, so what gets stored is exactly what was measured (its backpressure paces the read).
 */
export async function measureAndVerify(
  body: ReadableStream<Uint8Array>,
  signature: Uint8Array,
  publicKeyPem: string,
  copy?: WritableStreamDefaultWriter<Uint8Array>,
): Promise<Measurement> {
  const digest = new WorkersCrypto.DigestStream("SHA-256");
  const hashWriter = digest.getWriter();
  const verifier = createVerify("sha256");
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    verifier.update(value);
    await hashWriter.write(value);
    if (copy) await copy.write(value);
  }
  await hashWriter.close();
  return {
    bytes,
    sha256: hex(await digest.digest),
    signatureValid: verifySignature(verifier, signature, publicKeyPem),
  };
}

/** Verifies a signature over bytes held in memory (release.json is at most a few MiB). */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKeyPem: string): boolean {
  const verifier = createVerify("sha256");
  verifier.update(data);
  return verifySignature(verifier, signature, publicKeyPem);
}

function verifySignature(
  verifier: ReturnType<typeof createVerify>,
  signature: Uint8Array,
  publicKeyPem: string,
): boolean {
  try {
    return verifier.verify(publicKeyPem, Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength));
  } catch {
    // A signature that is not even well-formed DER (or the wrong length for RSA) simply does not verify.
    return false;
  }
}
