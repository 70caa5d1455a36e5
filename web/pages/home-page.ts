// Home: the four artifact areas of the documentation. Each install area is a GET form (version
// drop-down + "Show Artifacts"), so it works without JavaScript.
import { html } from "htm/preact";
import type { Product } from "../../worker/catalog/types";
import { Head } from "../components/layout";
import { Notice } from "../components/ui";

function InstallArea({ product }: { product: Product }) {
  const id = `version-${product.id}`;
  // A version whose installers were all withdrawn is not offered, nor shown as if still to come.
  const offered = product.versions.filter((v) => !v.withdrawn);
  return html`<section class="card area" aria-labelledby=${`${id}-title`}>
    <h2 id=${`${id}-title`}>Install ${product.name}</h2>
    <p>Content bundle, management appliance ISO, or Helm chart for a self-hosted ${product.name}${product.fips ? " (FIPS)" : ""}.</p>
    ${
      offered.length
        ? html`<form class="inline-form" method="get" action=${`/install/${product.id}`}>
          <div class="field">
            <label for=${id}>Version</label>
            <select id=${id} name="version">
              ${offered.map((v) => html`<option value=${v.version}>${v.version}</option>`)}
            </select>
          </div>
          <button type="submit">Show Artifacts</button>
        </form>`
        : product.versions.length
          ? html`<p class="muted">No version is offered: the installers of every published version were withdrawn.</p>`
          : html`<p class="muted">No versions are published yet.</p>`
    }
  </section>`;
}

export function HomePage({ products }: { products: Product[] }) {
  return html`<${Head} title="Home" area="home" />
    <div class="page-head">
      <h1>Artifact Studio</h1>
      <p>
        Signed installers, pack bundles and individual packs for self-hosted Palette and Palette VerteX, ready to carry
        into an airgapped environment. Every file comes with a signature you can verify with OpenSSL.
      </p>
    </div>
    ${products.length === 0 ? html`<${Notice} kind="warn"><p>The catalog is empty: no release has been published yet.</p><//>` : null}
    <div class="areas">
      ${products.map((product) => html`<${InstallArea} product=${product} />`)}
      <section class="card area" aria-labelledby="bundle-title">
        <h2 id="bundle-title">Create pack bundle</h2>
        <p>Build a bundle layer by layer with only compatible packs, or browse the catalog and pick individual packs.</p>
        <div class="actions">
          <a class="button" href="/bundle/product">Build bundle</a>
          <a class="button secondary" href="/packs">Browse packs</a>
        </div>
      </section>
      <section class="card area" aria-labelledby="upgrade-title">
        <h2 id="upgrade-title">Upgrade a site</h2>
        <p>From the bundle a site runs today to a newer version: what stays, what moves, what goes, and only the new files.</p>
        <div class="actions"><a class="button" href="/upgrade">Plan an upgrade</a></div>
      </section>
    </div>`;
}
