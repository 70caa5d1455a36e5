// The HTML error pages: what happened, and where to go from here. Bad input names the field.
import { html } from "htm/preact";
import { Head } from "../components/layout";

export type ErrorPageProps = {
  status: number;
  message: string;
  details?: { field?: string; message: string }[];
  requestId?: string;
};

const TITLES: Record<number, string> = {
  400: "That request is not quite right",
  404: "Page not found",
  500: "Something went wrong on our side",
  503: "The studio is not available right now",
};

export function ErrorPage({ status, message, details, requestId }: ErrorPageProps) {
  const title = TITLES[status] ?? (status >= 500 ? TITLES[500] : "Request refused");
  return html`<${Head} title=${title} />
    <div class="page-head">
      <p class="eyebrow">Error ${status}</p>
      <h1>${title}</h1>
    </div>
    <section class="card stack" aria-labelledby="what-happened">
      <h2 id="what-happened">What happened</h2>
      <p>${details?.length && status === 400 ? "The address (or the file you sent) has a value the studio cannot use:" : message}</p>
      ${
        details?.length
          ? html`<ul>
            ${details.map((d) => html`<li>${d.field ? html`<strong>${d.field}</strong>: ` : null}${d.message}</li>`)}
          </ul>`
          : null
      }
      ${requestId ? html`<p class="small muted">Request id: <code>${requestId}</code></p>` : null}
      <h2>Where to go</h2>
      <ul>
        <li><a href="/">Artifact Studio Home</a>: install Palette Enterprise or VerteX, or start a pack bundle.</li>
        <li><a href="/packs">Browse packs</a>: search the whole pack catalog.</li>
        <li><a href="/bundle/product">Build a bundle</a> from the first step.</li>
      </ul>
    </section>`;
}
