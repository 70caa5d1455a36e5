// Signature checks over bytes or a SHA-256 digest, as `openssl dgst -sha256 -sign` makes them (DER
// ECDSA P-256, RSA PKCS#1 v1.5). Plain functions on node:crypto and @noble/curves, so the Worker and
// the publisher command (scripts/release/) check signatures with the same code.
import { Buffer } from "node:buffer";
import { constants, createPublicKey, createVerify, type KeyObject, publicDecrypt, timingSafeEqual } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";

// DER DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1): what PKCS#1 v1.5 signs, before the digest.
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

const parsedKeys = new Map<string, KeyObject>();
const publicKeyOf = (pem: string) => {
  const known = parsedKeys.get(pem);
  if (known) return known;
  const key = createPublicKey(pem);
  parsedKeys.set(pem, key);
  return key;
};

/**
 * Checks a signature over a SHA-256 digest computed elsewhere. ECDSA P-256 verifies the digest as
 * the message hash (@noble/curves, `prehash: false`; high-S signatures are valid, as openssl makes
 * them). RSA recovers the signed block with the public key (node:crypto checks the PKCS#1 type-1
 * padding) and compares it, byte for byte, with the DigestInfo of this digest; comparing the whole
 * encoding, not parsing it, leaves no room for the lax-parsing forgeries of RSA signatures.
 */
export function verifyDigest(digest: Uint8Array, signature: Uint8Array, publicKeyPem: string): boolean {
  try {
    const key = publicKeyOf(publicKeyPem);
    if (key.asymmetricKeyType === "ec") {
      // A P-256 SubjectPublicKeyInfo is a 26-byte header, then the point.
      const point = key.export({ type: "spki", format: "der" }).subarray(26);
      return p256.verify(signature, digest, point, { prehash: false, format: "der", lowS: false });
    }
    if (key.asymmetricKeyType === "rsa") {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      const expected = Buffer.concat([SHA256_DIGEST_INFO, digest]);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    return false;
  } catch {
    // A key that does not parse, or a signature that is not even well-formed, verifies nothing.
    return false;
  }
}

/** Verifies a signature over bytes held in memory (release.json is at most a few MiB). */
export function verifyBytes(data: Uint8Array, signature: Uint8Array, publicKeyPem: string): boolean {
  try {
    return createVerify("sha256")
      .update(data)
      .verify(publicKeyPem, Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength));
  } catch {
    return false;
  }
}
