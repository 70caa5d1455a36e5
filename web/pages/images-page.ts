// "Which pack versions ship this image?": a search by reference, repository, tag or digest, and the
// pack versions that declare it in their signed release manifests (yanked ones marked as such).
import { html } from "htm/preact";
import type { ImageHit, ImageQuery } from "../../worker/catalog/types";
import { Breadcrumbs, Head } from "../components/layout";
import { PageHead } from "../components/ui";

const described = (q: ImageQuery) =>
  [
    q.repository && `repository ${q.repository}${q.namespace ? ` or ${q.namespace}*` : ""}`,
    q.tag && `tag ${q.tag}`,
    q.digest && `digest ${q.digest}`,
  ]
    .filter(Boolean)
    .join(", ");

export function ImagesPage({ q = "", query, hits = [] }: { q?: string; query?: ImageQuery; hits?: ImageHit[] }) {
  return html`<${Head} title="Which packs ship this image?" />
    <${Breadcrumbs} trail=${[{ href: "/", label: "Home" }, { label: "Images" }]} />
    <${PageHead} title="Which packs ship this image?">
      Search the container images every pack version declares in its signed release manifest: a full reference
      (<code>repository:tag@sha256:…</code>), a repository, <code>repository:tag</code>, or a digest. Names are read as
      container tools read them: <code>nginx</code> is <code>docker.io/library/nginx</code>, <code>calico/node</code> is${" "}
      <code>docker.io/calico/node</code>.
    <//>
    <form method="get" action="/images" class="stack" role="search">
      <div class="field">
        <label for="q">Image reference, repository or digest</label>
        <input id="q" name="q" type="search" value=${q} placeholder="docker.io/calico/node:v3.29.1" class="mono" />
      </div>
      <p><button type="submit">Search</button></p>
    </form>
    ${
      query
        ? html`<section class="stack" aria-labelledby="hits-title">
          <h2 id="hits-title">${hits.length} pack ${hits.length === 1 ? "version ships" : "versions ship"} ${described(query)}</h2>
          ${
            hits.length
              ? html`<div class="table-wrap"><table class="responsive-table">
                <thead><tr><th scope="col">Pack version</th><th scope="col">Image</th><th scope="col">Status</th></tr></thead>
                <tbody>
                  ${hits.map(
                    (h) => html`<tr>
                      <th scope="row" data-label="Pack version"><a href=${`/packs/${h.pack}?version=${encodeURIComponent(h.version)}`}>${h.displayName} ${h.version}</a></th>
                      <td data-label="Image"><code class="break small">${h.reference}</code></td>
                      <td data-label="Status">${h.yanked ? "Yanked" : "Published"}</td>
                    </tr>`,
                  )}
                </tbody>
              </table></div>`
              : html`<p class="muted">No pack version declares this image.</p>`
          }
          <p class="small muted">The same answer as JSON: <a href=${`/api/v1/images?q=${encodeURIComponent(q)}`}><code>/api/v1/images?q=${q}</code></a>. <a href="/verify#step-images">How images are verified</a>.</p>
        </section>`
        : null
    }`;
}
