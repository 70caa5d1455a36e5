// One way to read the bytes of a signed JSON document (release.json), shared by every reader of it
// in the studio and its tools: the sync, `release check`, `sign`, `push` and POST
// /api/v1/publish/plan. Each used to decode on its own (Node's lenient UTF-8 kept a BOM JSON.parse
// then choked on, and let a stray byte through as U+FFFD; the plan read the body with Hono's), so a
// document one of them accepted another refused. Here: strict UTF-8 (a byte that is not UTF-8 is
// refused, never replaced), a leading BOM dropped as every UTF-8 decoder drops it (verify-bundle.sh
// skips it too), JSON.parse, then no repeated key (readers disagree on which value counts).
import { firstRepeatedKey, type RepeatedKey, repeatedKeyText } from "./repeated-keys";

export type SignedJson =
  | { ok: true; text: string; json: unknown }
  /** `repeated` when valid JSON repeats a key; `notUtf8` when a byte is not UTF-8 (else: not JSON). */
  | { ok: false; problem: string; repeated?: RepeatedKey; notUtf8?: true };

const invalid = (document: string, err: unknown) =>
  `${document} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;

/** `document`'s bytes as the sync reads them, or the sync's refusal in its words. */
export function readSignedJson(document: string, bytes: Uint8Array): SignedJson {
  let text: string;
  let json: unknown;
  try {
    // fatal: a byte that is not UTF-8 is an error; ignoreBOM false (the default): a leading BOM is dropped.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    return { ok: false, problem: invalid(document, err), notUtf8: true };
  }
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: invalid(document, err) };
  }
  const repeated = firstRepeatedKey(text);
  if (repeated) return { ok: false, problem: repeatedKeyText(document, repeated), repeated };
  return { ok: true, text, json };
}

/** Where a repeated key sits, as an error's field names it: `files.0.sha256`. */
export const repeatedKeyField = (repeated: RepeatedKey): string => [...repeated.path, repeated.key].join(".");
