// Byte encodings shared by grant ids, API tokens, URL signatures and checksums.
import { Buffer } from "node:buffer";

const bytesOf = (data: ArrayBuffer | Uint8Array) => (data instanceof Uint8Array ? data : new Uint8Array(data));

export const base64url = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("base64url");

/**
 * base64url text back to bytes, or undefined for anything that is not 1-200 base64url characters
 * or does not decode (a length of 1 mod 4), so the caller can tell malformed input from a mismatch.
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export const hex = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("hex");

/** `n` random bytes as base64url: 16 give a 22-character id, 32 a 43-character secret. */
export const randomBase64url = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

export const sha256Hex = async (data: Uint8Array<ArrayBuffer>) => hex(await crypto.subtle.digest("SHA-256", data));

/** SHA-256 (hex) of a secret's UTF-8 text: how API tokens and grant capabilities are stored. */
export const sha256OfText = (text: string) => sha256Hex(new TextEncoder().encode(text));
