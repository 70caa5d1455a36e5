// The page shell every HTML page shares: skip link, header (home at top left, verification
// instructions at top right), main landmark, footer; plus the render helper that turns a page into
// a complete document. Islands are listed per page so each page ships only the JavaScript it uses.
import type { ComponentChildren, VNode } from "preact";
import { html } from "htm/preact";
import { render } from "preact-render-to-string";

export type Island = "copy" | "autosubmit" | "selection" | "download";

type LayoutProps = {
  title: string;
  children: ComponentChildren;
  islands?: Island[];
  /** Marks the header link of the area the page belongs to. */
  area?: "home" | "verify";
};

export function Layout({ title, children, islands = [], area }: LayoutProps) {
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title} · Artifact Studio</title>
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
      <main id="main" tabindex="-1">${children}</main>
      <footer class="site-footer">
        <p>
          Every artifact is signed. Check it with <a href="/spectro_public_key.pem">spectro_public_key.pem</a> and the${" "}
          <a href="/verify">verification instructions</a>. Automation can use the <a href="/api/v1/openapi.json">JSON API</a>.
        </p>
      </footer>
    </body>
  </html>`;
}

/** A full HTML document from a page tree. */
export const documentHtml = (page: VNode) => `<!doctype html>${render(page)}`;

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
