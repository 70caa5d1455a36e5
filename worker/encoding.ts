// Byte encodings shared by grant ids, API tokens, URL signatures and checksums.
import { Buffer } from "node:buffer";

const bytesOf = (data: ArrayBuffer | Uint8Array) => (data instanceof Uint8Array ? data : new Uint8Array(data));

export const base64url = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("base64url");

/**
 * Canonical base64url text (1-200 characters, unpadded) back to bytes, or undefined, so the caller
 * can tell malformed input from a mismatch. Canonical: the one text base64url() gives for those
 * bytes. A length of 1 mod 4, or a last character with stray low bits (several texts decoding to
 * the same bytes), is refused rather than decoded leniently.
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? new Uint8Array(bytes) : undefined;
}

/**
 * Canonical base64 back to bytes: standard with its padding, or base64url without; anything else
 * (stray characters, missing or extra padding, stray low bits) is undefined.
 */
export function fromCanonicalBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!text) return undefined;
  const bytes = Buffer.from(text, /[-_]/.test(text) ? "base64url" : "base64");
  return bytes.toString("base64") === text || bytes.toString("base64url") === text ? new Uint8Array(bytes) : undefined;
}

export const hex = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("hex");

/** `n` random bytes as base64url: 16 give a 22-character id, 32 a 43-character secret. */
export const randomBase64url = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

export const sha256Hex = async (data: Uint8Array<ArrayBuffer>) => hex(await crypto.subtle.digest("SHA-256", data));

/** SHA-256 (hex) of a secret's UTF-8 text: how API tokens and grant capabilities are stored. */
export const sha256OfText = (text: string) => sha256Hex(new TextEncoder().encode(text));
