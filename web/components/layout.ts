// The one page shell every HTML page shares: skip link, header (home at top left, verification
// instructions at top right), main landmark, footer; and documentHtml, which the Worker's one
// renderer (c.setRenderer in worker/routes/html.ts) uses to put a page's body into it. A page
// declares its title, islands and area with <Head> (as Fresh's <Head>); islands are listed per page
// so each page ships only the JavaScript it uses.
import { createContext, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { html } from "htm/preact";
import { render } from "preact-render-to-string";

export type Island = "copy" | "autosubmit" | "selection" | "download";

export type PageHead = {
  title: string;
  islands?: Island[];
  /** Marks the header link of the area the page belongs to. */
  area?: "home" | "verify";
  /** The page's summary for search engines and link previews; the studio's own when a page has none. */
  description?: string;
};

const DESCRIPTION =
  "Artifact Studio: download Palette installers and signed packs for airgapped sites, build pack bundles, and verify every file with OpenSSL.";

// documentHtml renders a page's body first; its <Head> leaves what it declares here for the layout.
const HeadSlot = createContext<{ head?: PageHead }>({});

/** Declares the page's title, islands and area; renders nothing where it stands. */
export function Head(props: PageHead) {
  useContext(HeadSlot).head = props;
  return null;
}

function Layout({ title, islands = [], area, description = DESCRIPTION, body }: PageHead & { body: string }) {
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title} · Artifact Studio</title>
      <meta name="description" content=${description} />
      <link rel="stylesheet" href="/css/app.css" />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      ${islands.map((name) => html`<script type="module" src=${`/js/${name}.js`}></script>`)}
    </head>
    <body>
      <a class="skip-link" href="#main">Skip to main content</a>
      <header class="site-header">
        <nav class="site-nav" aria-label="Site">
          <a class="brand" href="/" aria-current=${area === "home" ? "page" : undefined}>
            <span class="brand-mark" aria-hidden="true"></span>Artifact Studio Home
          </a>
          <a class="nav-link" href="/verify" aria-current=${area === "verify" ? "page" : undefined}>Bundle Verification Instructions</a>
        </nav>
      </header>
      <main id="main" tabindex="-1" dangerouslySetInnerHTML=${{ __html: body }}></main>
      <footer class="site-footer">
        <p>
          Every artifact is signed. Check it with <a href="/spectro_public_key.pem">spectro_public_key.pem</a> and the${" "}
          <a href="/verify">verification instructions</a>. Automation can use the <a href="/api/v1/openapi.json">JSON API</a>.
        </p>
      </footer>
    </body>
  </html>`;
}

/** A full HTML document: the page's body in the layout, under the title its <Head> declared. */
export function documentHtml(page: VNode): string {
  const slot: { head?: PageHead } = {};
  const body = render(html`<${HeadSlot.Provider} value=${slot}>${page}<//>`);
  if (!slot.head) throw new Error("a page must declare its <Head> (title, islands, area)");
  return `<!doctype html>${render(html`<${Layout} ...${slot.head} body=${body} />`)}`;
}

type CrumbsProps = { trail: { href?: string; label: string }[] };

export function Breadcrumbs({ trail }: CrumbsProps) {
  return html`<nav class="breadcrumbs" aria-label="Breadcrumb">
    <ol>
      ${trail.map(
        (crumb, i) =>
          html`<li>
            ${
              crumb.href && i < trail.length - 1
                ? html`<a href=${crumb.href}>${crumb.label}</a>`
                : html`<span aria-current="page">${crumb.label}</span>`
            }
          </li>`,
      )}
    </ol>
  </nav>`;
}
