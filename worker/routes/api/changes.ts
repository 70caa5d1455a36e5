// /api/v1/changes: incremental mirroring. What was published (still offered) and what was yanked
// after a catalog generation, with the usual pack filters, and the generation it is current to;
// /api/v1/changes/mirror.sh is a nightly job's script that keeps the last generation it mirrored.
import { z } from "@hono/zod-openapi";
import { changesQuery } from "../../catalog/filters";
import { primary } from "../../db/client";
import { changesSince, type Changes, yankedSince } from "../../db/change-log";
import { apiApp, apiRoute, error, json, text } from "../api-app";
import { originOf } from "../context";

/**
 * What a client sees of a changed file: its names, checksum, key and release; storage stays private.
 * changesSince always names the release (GrantFile's releaseId is optional only for older grants).
 */
export const publicChanges = (c: Changes) => ({
  since: c.since,
  generation: c.generation,
  published: {
    packs: c.published.packs.map((f) => ({ name: f.name, version: f.version, layer: f.layer, ...publicFile(f) })),
    installers: c.published.installers.map((f) => ({
      product: f.name,
      version: f.version,
      kind: f.kind,
      ...publicFile(f),
    })),
  },
  yanked: c.yanked,
});

/** What packs and installers alike show after their own names, in this order. */
const publicFile = (f: Changes["published"]["packs"][number] | Changes["published"]["installers"][number]) => ({
  file: f.file,
  size: f.size,
  sha256: f.sha256,
  sigFile: f.sigFile,
  keyId: f.keyId,
  releaseId: f.releaseId!,
  generation: f.generation,
});

export const changesRoutes = apiApp();

/** The changes query; `since` is documented as the required integer it is (coercion reads as optional). */
export const changesParams = changesQuery.extend({
  since: changesQuery.shape.since.openapi({ param: { required: true }, type: "integer", minimum: 0 }),
});

const changedFile = z.object({
  file: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  sigFile: z.string(),
  keyId: z.string(),
  releaseId: z.string().meta({ description: "The release whose signed manifest lists the file" }),
  generation: z.number().int().meta({ description: "The catalog generation that published it" }),
});
const yankedFile = z.object({
  file: z.string(),
  generation: z.number().int().meta({ description: "The catalog generation that yanked it" }),
  reason: z.string().nullable(),
});
const changesResponse = z.object({
  since: z.number().int(),
  generation: z
    .number()
    .int()
    .meta({ description: "The newest generation this answer includes; pass it as since next time" }),
  published: z.object({
    packs: z.array(changedFile.extend({ name: z.string(), version: z.string(), layer: z.string() })),
    installers: z.array(changedFile.extend({ product: z.string(), version: z.string(), kind: z.string() })),
  }),
  yanked: z.object({
    packs: z.array(yankedFile.extend({ name: z.string(), version: z.string() })),
    installers: z.array(yankedFile.extend({ product: z.string(), version: z.string(), kind: z.string() })),
  }),
});

const changesRoute = apiRoute({
  method: "get",
  path: "/",
  operationId: "listChanges",
  summary: "What was published (still offered) and yanked after a catalog generation, for incremental mirroring",
  tags: ["catalog"],
  request: { query: changesParams },
  responses: {
    200: json(changesResponse, "The changes and the generation they go up to."),
    400: error("Missing or bad since, or a bad filter (the field is named)."),
  },
});

changesRoutes.openapi(changesRoute, async (c) => {
  const { since, ...filters } = c.req.valid("query");
  // The primary: a mirror must never be told a generation a lagging replica has not seen.
  const changes = await changesSince(primary(c.env), since, filters);
  return c.json(publicChanges(changes), 200, { "Cache-Control": "no-store" });
});

const mirrorRoute = apiRoute({
  method: "get",
  path: "/mirror.sh",
  operationId: "mirrorScript",
  summary: "A nightly job's script: keeps the last generation mirrored, fetches and verifies only what is new",
  tags: ["catalog"],
  request: { query: changesQuery.omit({ since: true }) },
  responses: {
    200: text("The script (ARTIFACT_STUDIO_TOKEN=<manifests:read token> sh mirror.sh [folder]).", "text/x-shellscript"),
  },
});

changesRoutes.openapi(mirrorRoute, (c) => {
  const filters = new URLSearchParams(
    Object.entries(c.req.valid("query")).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();
  return c.body(mirrorSh(originOf(c), filters), 200, {
    "Content-Type": "text/x-shellscript; charset=utf-8",
    "Content-Disposition": 'attachment; filename="mirror.sh"',
    "Cache-Control": "no-store",
  });
});

/** A yanked file's signature, by the docs' naming: X.zst has X.sig.bin, anything else X.sig.bin after its name. */
export const signatureNameOf = (file: string) =>
  file.endsWith(".zst") ? `${file.slice(0, -".zst".length)}.sig.bin` : `${file}.sig.bin`;

/** One line per yanked file: `<file>\t<signature>\t<reason>` (tabs and line breaks in a reason become spaces). */
export const yankedTxt = (yanked: Changes["yanked"]) =>
  [...yanked.packs, ...yanked.installers]
    .map(
      (y) => `${y.file}\t${signatureNameOf(y.file)}\t${(y.reason ?? "no reason given").replace(/[\t\r\n]+/g, " ")}\n`,
    )
    .join("");

// What was yanked since a generation as text, for mirror.sh (POSIX sh reads lines, not JSON).
const yankedRoute = apiRoute({
  method: "get",
  path: "/yanked.txt",
  operationId: "yankedSince",
  summary: "What was yanked after a generation, as text for mirror.sh: <file> TAB <signature> TAB <reason> a line",
  tags: ["catalog"],
  request: { query: changesParams },
  responses: {
    200: text("One yanked file a line."),
    400: error("Missing or bad since, or a bad filter (the field is named)."),
  },
});

changesRoutes.openapi(yankedRoute, async (c) => {
  const { since, ...filters } = c.req.valid("query");
  const changes = await yankedSince(primary(c.env), since, filters);
  return c.body(yankedTxt(changes.yanked), 200, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Catalog-Generation": String(changes.generation),
  });
});

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * mirror.sh's yanked files: each one the mirror holds moves, with its signature, into yanked/ beside a
 * note of the reason (GET /api/v1/changes/yanked.txt); every run says so again until the user deletes it.
 */
const SET_ASIDE_YANKED = `# Every yanked file the mirror holds moves, with its signature, into yanked/ beside a note of the
# reason; each run says so again until you delete it.
set_aside_yanked() {
  if curl --fail --silent --show-error -o "$tmp/yanked" -H "Authorization: Bearer $ARTIFACT_STUDIO_TOKEN" \\
    "$STUDIO/api/v1/changes/yanked.txt?since=0$FILTERS"; then
    tab=$(printf '\\t')
    while IFS="$tab" read -r file sig reason; do
      case "$file$sig" in '' | */* | .*) continue ;; esac # names, never paths
      [ -f "$file" ] || [ -f "$sig" ] || continue
      mkdir -p yanked || exit 2
      for f in "$file" "$sig"; do if [ -f "$f" ]; then mv -f "$f" yanked/; fi; done
      printf '%s\\n' "$reason" > "yanked/$file.reason.txt"
      echo "$file: yanked from the catalog ($reason); moved it and its signature to yanked/"
    done < "$tmp/yanked"
  else
    echo "mirror.sh: could not ask the studio which files were yanked" >&2
  fi
  for note in yanked/*.reason.txt; do
    [ -f "$note" ] || continue
    file=\${note#yanked/}
    echo "yanked/\${file%.reason.txt}: yanked ($(cat "$note")); kept aside in yanked/ until you delete it"
  done
}
`;

/**
 * The nightly mirroring job: asks for a grant of what was published since the generation in its
 * state file, runs that grant's download.sh (resume, sha256, openssl, signed release manifests), and
 * only then records the new generation, so a failed night is retried from the same place.
 */
export function mirrorSh(origin: string, filters: string): string {
  return `#!/bin/sh
# Artifact Studio mirror: fetches only what was published since the last run, verifies it, and
# keeps the last catalog generation it mirrored in .artifact-studio-generation.
# Usage: ARTIFACT_STUDIO_TOKEN=<API token with manifests:read> sh mirror.sh [folder]
# Cron:  30 2 * * * cd /srv/mirror && ARTIFACT_STUDIO_TOKEN=... sh mirror.sh >> mirror.log 2>&1
# Exits 1 if anything failed (the state file then stays, so the next run retries the same files).
set -u
STUDIO=${shQuote(origin)}
FILTERS=${shQuote(filters ? `&${filters}` : "")}
: "\${ARTIFACT_STUDIO_TOKEN:?set ARTIFACT_STUDIO_TOKEN to an API token with the manifests:read scope}"
DIR="\${1:-.}"
mkdir -p "$DIR" && cd "$DIR" || exit 2
STATE=.artifact-studio-generation
since=$(cat "$STATE" 2>/dev/null || echo 0)
case "$since" in '' | *[!0-9]*) echo "mirror.sh: $STATE does not hold a generation" >&2; exit 2 ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
if ! curl --fail --silent --show-error -D "$tmp/headers" -o "$tmp/download.sh" \\
  -H "Authorization: Bearer $ARTIFACT_STUDIO_TOKEN" "$STUDIO/api/v1/manifests/changes/download.sh?since=$since$FILTERS"; then
  echo "mirror.sh: could not ask the studio for the changes since generation $since" >&2; exit 1
fi
${SET_ASIDE_YANKED}header() { tr -d '\\r' < "$tmp/headers" | awk -F': ' -v h="$1" 'tolower($1) == h { print $2 }' | tail -1; }
generation=$(header x-catalog-generation)
case "$generation" in '' | *[!0-9]*) echo "mirror.sh: the studio did not say its generation" >&2; exit 1 ;; esac
yanked=$(header x-yanked)
[ -z "$yanked" ] || echo "yanked since generation $since: $yanked"
set_aside_yanked
if [ "$(head -1 "$tmp/headers" | awk '{ print $2 }')" = 204 ]; then
  echo "nothing new since generation $since (the catalog is at $generation)"
  echo "$generation" > "$STATE"; exit 0
fi
echo "mirroring generation $since -> $generation"
if ! EXTRA=note sh "$tmp/download.sh"; then
  echo "mirror.sh: some files failed; the next run retries from generation $since" >&2; exit 1
fi
echo "$generation" > "$STATE"
echo "mirrored up to generation $generation"
`;
}
