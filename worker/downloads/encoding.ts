// Byte encodings shared by grant ids, API tokens, URL signatures and checksums.
import { Buffer } from "node:buffer";

const bytesOf = (data: ArrayBuffer | Uint8Array) => (data instanceof Uint8Array ? data : new Uint8Array(data));

export const base64url = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("base64url");

export const hex = (data: ArrayBuffer | Uint8Array) => Buffer.from(bytesOf(data)).toString("hex");

/** `n` random bytes as base64url: 16 give a 22-character id, 32 a 43-character secret. */
export const randomBase64url = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

export const sha256Hex = async (data: Uint8Array<ArrayBuffer>) => hex(await crypto.subtle.digest("SHA-256", data));
