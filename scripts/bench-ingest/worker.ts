// The ingest benchmark's Worker (scripts/bench-ingest.ts drives it under `wrangler dev`): the same
// R2 object read three ways in the same workerd, so each figure is a ratio within one run:
//   /digest: a bare DigestStream pass (the baseline: the least any verifier must do);
//   /verify: the sync's single-pass measureAndVerify (hash once, signature over the digest);
//   /ingest: the sync's whole per-file step, verifyFile (verify while writing the immutable blob);
//   /two-hashes: how it was before, both a DigestStream and node:crypto's createVerify over every byte;
//   /sequential: a release's files verified one after another by verifyFile in this one invocation,
//   as the sync did before it fanned out to a Workflow (scripts/bench-release10.ts times both).
import { createVerify } from "node:crypto";
import { verifyFile } from "../../worker/sync/verify-files";
import { measureAndVerify, WorkersCrypto } from "../../worker/sync/measure-and-verify";

type BenchEnv = { ARTIFACTS: R2Bucket };

const json = (body: unknown, status = 200) => Response.json(body, { status });

/** The verifier before this round: every byte hashed twice, by the DigestStream and by createVerify. */
async function twoHashes(body: ReadableStream<Uint8Array>, signature: Uint8Array, pem: string) {
  const digest = new WorkersCrypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  const verifier = createVerify("sha256");
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    verifier.update(value);
    await writer.write(value);
  }
  await writer.close();
  await digest.digest;
  return { signatureValid: verifier.verify(pem, signature) };
}

/** The baseline: the same read loop as measureAndVerify, feeding only the DigestStream. */
// A deliberate copy, not the verifier's code: the floor every way is measured against stays fixed when the verifier changes.
async function bareDigest(body: ReadableStream<Uint8Array>): Promise<{ bytes: number }> {
  const digest = new WorkersCrypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    await writer.write(value);
  }
  await writer.close();
  await digest.digest;
  return { bytes };
}

type ReleaseFile = { file: string; signature: string; size: number; sha256: string };

/** The files of a release under `folder`, verified and copied one after another (each blob copy fresh). */
async function verifySequentially(bucket: R2Bucket, folder: string, files: ReleaseFile[], pem: string) {
  const verdicts = [];
  for (const f of files) {
    await bucket.delete(`blobs/sha256/${f.sha256}`);
    verdicts.push(await verifyFile(bucket, folder, f, { id: "bench", pem }));
  }
  return { verdicts };
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const [, action, ...rest] = url.pathname.split("/");
    const key = rest.join("/");
    if (request.method === "PUT" && action === "objects") {
      const stored = await env.ARTIFACTS.put(key, request.body);
      return json({ size: stored?.size });
    }
    if (action === "sequential") {
      const { pem, files } = (await request.json()) as { pem: string; files: ReleaseFile[] };
      return json(await verifySequentially(env.ARTIFACTS, `${key}/`, files, pem));
    }
    const object = await env.ARTIFACTS.get(key);
    if (!object) return json({ error: `no object ${key}` }, 404);
    const signature = Uint8Array.from(atob(url.searchParams.get("sig") ?? ""), (c) => c.charCodeAt(0));
    const pem = url.searchParams.get("pem") ?? "";
    if (action === "digest") return json(await bareDigest(object.body));
    if (action === "two-hashes") return json(await twoHashes(object.body, signature, pem));
    if (action === "verify") return json(await measureAndVerify(object.body, signature, pem));
    if (action === "ingest") {
      await object.body.cancel();
      const sha256 = url.searchParams.get("sha256") ?? "";
      // A fresh blob key each time, so every pass writes its copy (none is re-verified in place).
      const folder = key.slice(0, key.lastIndexOf("/") + 1);
      const file = key.slice(folder.length);
      await env.ARTIFACTS.put(`${folder}${file}.sig.bin`, signature);
      await env.ARTIFACTS.delete(`blobs/sha256/${sha256}`);
      return json(
        await verifyFile(
          env.ARTIFACTS,
          folder,
          { file, signature: `${file}.sig.bin`, size: object.size, sha256 },
          { id: "bench", pem },
        ),
      );
    }
    return json({ error: "unknown action" }, 404);
  },
} satisfies ExportedHandler<BenchEnv>;
