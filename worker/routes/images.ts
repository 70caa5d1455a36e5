// "Which pack versions ship image X?": GET /api/v1/images?repository=&tag=&digest= (or q=, any
// reference) and the answer page /images?q=. Lookups go through the repository, tag and digest
// indexes of pack_version_images; yanked versions are listed too (an incident needs them) and say so.
import { Hono } from "hono";
import { html } from "htm/preact";
import { z } from "zod";
import { type CatalogVariables, catalogEtag } from "../catalog/generation";
import { findImages, type ImageQuery } from "../db/images";
import { IMAGE_REFERENCE } from "../sync/release-manifest";
import { validate } from "../validate";
import { ImagesPage } from "../../web/pages/images";
import { htmlErrorHandler, parseOrThrow } from "./html";

const repository = z
  .string()
  .max(255)
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/, "must be a repository like docker.io/calico/node");
const tag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a tag like v3.29.1");
const digest = z
  .string()
  .regex(/^(sha256:)?[0-9a-f]{64}$/, "must be sha256:<64 lower-case hex>")
  .transform((d) => (d.startsWith("sha256:") ? d : `sha256:${d}`));

/** A free-text reference: a digest, repository[:tag][@digest], or a bare repository. */
export function parseImageQuery(text: string): ImageQuery | undefined {
  const q = text.trim();
  const asDigest = digest.safeParse(q);
  if (asDigest.success) return { digest: asDigest.data };
  const pinned = IMAGE_REFERENCE.exec(q);
  if (pinned) return { repository: pinned[1], digest: pinned[3] };
  const at = q.lastIndexOf(":");
  const slash = q.lastIndexOf("/");
  const [repo, t] = at > slash ? [q.slice(0, at), q.slice(at + 1)] : [q, undefined];
  if (!repository.safeParse(repo).success || (t !== undefined && !tag.safeParse(t).success)) return undefined;
  return t ? { repository: repo, tag: t } : { repository: repo };
}

export const imagesQuery = z
  .object({
    repository: repository.optional(),
    tag: tag.optional(),
    digest: digest.optional(),
    q: z.string().max(600).optional().meta({ description: "Any reference: a digest, repository[:tag][@sha256:…]" }),
  })
  .transform((v, ctx): ImageQuery => {
    if (v.q !== undefined) {
      const parsed = parseImageQuery(v.q);
      if (!parsed) {
        ctx.addIssue({ code: "custom", path: ["q"], message: "is not an image reference, repository, tag or digest" });
        return z.NEVER;
      }
      return parsed;
    }
    if (!v.repository && !v.tag && !v.digest) {
      ctx.addIssue({ code: "custom", path: ["repository"], message: "give repository, tag, digest or q" });
      return z.NEVER;
    }
    return { repository: v.repository, tag: v.tag, digest: v.digest };
  });

export const imagesApiRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesApiRoutes.use(catalogEtag);
imagesApiRoutes.get("/", validate("query", imagesQuery), async (c) => {
  const query = c.req.valid("query");
  const hits = await findImages(c.get("catalog"), query);
  return c.json({ query, packVersions: hits });
});

export const imagesPageRoutes = new Hono<{ Bindings: Env; Variables: CatalogVariables }>();
imagesPageRoutes.onError(htmlErrorHandler);
imagesPageRoutes.get("/", catalogEtag, async (c) => {
  const q = c.req.query("q")?.trim() || undefined;
  if (!q) return c.render(html`<${ImagesPage} />`);
  const query = parseOrThrow(imagesQuery, { q });
  return c.render(html`<${ImagesPage} q=${q} query=${query} hits=${await findImages(c.get("catalog"), query)} />`);
});
