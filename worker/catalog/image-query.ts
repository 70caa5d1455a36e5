// What /api/v1/images and the /images page accept: a repository, tag or digest, or one free-text
// reference (q) read as whichever of them it is. Shared by the route and the OpenAPI document.
// Repositories are read the way docker, podman and containerd read them (`nginx` is
// docker.io/library/nginx, `calico/node` is docker.io/calico/node), so people find what they type.
import { z } from "zod";
import type { ImageQuery } from "../db/image-index";
import { normalizeRepository } from "../domain/image-names";
import { IMAGE_REFERENCE } from "../domain/release-files";

export { normalizeRepository };

const repository = z
  .string()
  .max(255)
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/, "must be a repository like docker.io/calico/node");
const tag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a tag like v3.29.1");
const digest = z
  .string()
  .regex(/^(sha256:)?[0-9a-f]{64}$/, "must be sha256:<64 lower-case hex>")
  .transform((d) => (d.startsWith("sha256:") ? d : `sha256:${d}`));

/** A free-text reference: a digest, repository[:tag][@digest], or a bare repository (normalized). */
export function parseImageQuery(text: string): ImageQuery | undefined {
  const q = text.trim();
  const asDigest = digest.safeParse(q);
  if (asDigest.success) return { digest: asDigest.data };
  const pinned = IMAGE_REFERENCE.exec(q);
  if (pinned) {
    const [, repo, pinnedTag, pinnedDigest] = pinned;
    return { repository: normalizeRepository(repo), ...(pinnedTag ? { tag: pinnedTag } : {}), digest: pinnedDigest };
  }
  const at = q.lastIndexOf(":");
  const slash = q.lastIndexOf("/");
  const [repo, t] = at > slash ? [q.slice(0, at), q.slice(at + 1)] : [q, undefined];
  if (!repository.safeParse(repo).success || (t !== undefined && !tag.safeParse(t).success)) return undefined;
  const full = normalizeRepository(repo);
  // A bare word (`calico`) is also a Docker Hub namespace: it finds docker.io/calico/* as well.
  const namespace = !repo.includes("/") && !t ? `docker.io/${repo}/` : undefined;
  return { repository: full, ...(t ? { tag: t } : {}), ...(namespace ? { namespace } : {}) };
}

export const imagesQuery = z
  .object({
    repository: repository.optional(),
    tag: tag.optional(),
    digest: digest.optional(),
    q: z.string().max(600).optional().meta({
      description:
        "Any reference: a digest, repository[:tag][@sha256:…], read as container tools read it (nginx is docker.io/library/nginx, calico/node is docker.io/calico/node)",
    }),
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
    return { repository: v.repository && normalizeRepository(v.repository), tag: v.tag, digest: v.digest };
  });
