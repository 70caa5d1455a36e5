// A public key's fingerprint: the SHA-256 of its DER SubjectPublicKeyInfo, in hex, the value
// `openssl pkey -pubin -in key.pem -outform DER | sha256sum` prints. Users record it before the air
// gap (from /verify or the key's X-Key-Sha256 header) and pin it in verify-bundle.sh's PUBKEY_SHA256 or STUDIO_KEY_SHA256,
// since a key file that travels inside a bundle can be swapped along with the bundle.
import { createPublicKey } from "node:crypto";
import { sha256Hex } from "./encoding";

export const keySha256 = (pem: string) =>
  sha256Hex(new Uint8Array(createPublicKey(pem).export({ type: "spki", format: "der" })));
