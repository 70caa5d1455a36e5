// One pack: its versions, and for the chosen version the architectures, FIPS, clouds, products,
// dependencies (linked), files, sizes and checksums.
import { html } from "htm/preact";
import { type ImageRef, packRefId, rangeText } from "../../worker/domain/vocabulary";
import type { PackWithVersions } from "../../worker/catalog/types";
import { Breadcrumbs, Head } from "../components/layout";
import { FileName, Notice, Sha256 } from "../components/ui";
import { type YankRecord, yankWords } from "../../worker/domain/yank-words";
import { ARCH_LABELS, CLOUD_LABELS, humanSize, label, LAYER_LABELS, layerPack, USE_CASE_LABELS } from "../lib/format";

const DEPENDENCY_WORDING: Record<string, string> = {
  required: "Requires",
  optional: "Works with",
  notSupported: "Not supported with",
  upgrade: "Upgrades from",
};

type PackVersion = PackWithVersions["versions"][number];

/** The chosen version's facts: architectures, FIPS, clouds, products, file, signature and checksum. */
function VersionSummary({
  pack,
  v,
  productNames,
}: {
  pack: PackWithVersions;
  v: PackVersion;
  productNames: Record<string, string>;
}) {
  const ref = packRefId({ name: pack.name, version: v.version });
  return html`<section class="card" aria-labelledby="version-title">
    <div class="card-head">
      <h2 id="version-title">Version ${v.version}</h2>
      <div class="actions">
        <a class="button" href=${`/packs?selected=${encodeURIComponent(ref).replace(/%40/g, "@")}#download`}>Download</a>
      </div>
    </div>
    <dl class="summary">
      <dt>Pack name</dt><dd><code>${pack.name}</code></dd>
      <dt>Architectures</dt><dd>${v.arches.map((a) => label(ARCH_LABELS, a)).join(", ")}</dd>
      <dt>FIPS</dt><dd>${v.fips ? "FIPS-compliant" : "Not FIPS-compliant"}</dd>
      <dt>Clouds</dt><dd>${v.clouds.map((c) => label(CLOUD_LABELS, c)).join(", ")}</dd>
      <dt>Use cases</dt><dd>${v.useCases.map((u) => label(USE_CASE_LABELS, u)).join(", ")}</dd>
      <dt>Products</dt><dd>${v.products.map((p) => [productNames[p.product] ?? p.product, rangeText(p.minVersion, p.maxVersion)].filter(Boolean).join(" ")).join("; ")}</dd>
      ${v.kernel ? html`<dt>Kernel</dt><dd>${v.kernel}</dd>` : null}
      ${v.eol ? html`<dt>End of life</dt><dd>${v.eol}</dd>` : null}
      <dt>File</dt><dd><${FileName} name=${v.fileName} /> <span class="nowrap">(${humanSize(v.size)})</span></dd>
      <dt>Signature</dt><dd><code class="break">${v.signatureFileName}</code> (key <code>${v.keyId}</code>)</dd>
      <dt>SHA-256</dt><dd><${Sha256} value=${v.sha256} fileName=${v.fileName} /></dd>
      <dt>Published</dt><dd>${v.publishedAt.slice(0, 10)}</dd>
    </dl>
  </section>`;
}

/** The version's dependencies, each linked to its pack. */
function Dependencies({ dependencies }: { dependencies: PackVersion["dependencies"] }) {
  return html`<section class="card" aria-labelledby="deps-title">
    <h2 id="deps-title">Dependencies</h2>
    ${
      dependencies.length
        ? html`<ul>
          ${dependencies.map(
            (d) => html`<li>
              ${DEPENDENCY_WORDING[d.type] ?? d.type} <a href=${`/packs/${d.packName}`}>${d.packName}</a>
              ${rangeText(d.minVersion, d.maxVersion) ? ` ${rangeText(d.minVersion, d.maxVersion)}` : ""}${" "}
              <span class="muted small">(${label(LAYER_LABELS, d.layer)} layer)</span>
            </li>`,
          )}
        </ul>`
        : html`<p class="muted">This version declares no dependencies.</p>`
    }
  </section>`;
}

/** The container images the signed release manifest lists for the version, linked to /images. */
function ContainerImages({ images }: { images: ImageRef[] }) {
  return html`<section class="card" aria-labelledby="images-title">
    <h2 id="images-title">Container images</h2>
    ${
      images.length
        ? html`<p class="small muted">From the signed release manifest; pull them by digest. <a href="/verify#step-images">How images are verified</a></p>
        <div class="table-wrap">
          <table class="responsive-table">
            <thead><tr><th scope="col">Repository</th><th scope="col">Tag</th><th scope="col">Digest</th></tr></thead>
            <tbody>
              ${images.map(
                (i) => html`<tr>
                  <th scope="row" data-label="Repository"><a href=${`/images?q=${encodeURIComponent(i.repository)}`}>${i.repository}</a></th>
                  <td data-label="Tag">${i.tag ?? ""}</td>
                  <td data-label="Digest"><a href=${`/images?q=${encodeURIComponent(i.digest)}`}><code class="break small">${i.digest}</code></a></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
        : html`<p class="muted">This version declares no container images.</p>`
    }
  </section>`;
}

/** Every published version, the shown one marked as the current page. */
function AllVersions({ pack, shown }: { pack: PackWithVersions; shown: string }) {
  return html`<section aria-labelledby="versions-title" class="stack">
    <h2 id="versions-title">All versions</h2>
    <div class="table-wrap">
      <table class="responsive-table">
        <caption class="visually-hidden">Published versions of ${pack.displayName}</caption>
        <thead><tr><th scope="col">Version</th><th scope="col">Architectures</th><th scope="col">FIPS</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead>
        <tbody>
          ${pack.versions.map(
            (x) => html`<tr>
              <th scope="row" data-label="Version">
                ${
                  x.version === shown
                    ? html`<span aria-current="page">${x.version}</span>`
                    : html`<a href=${`/packs/${pack.name}?version=${encodeURIComponent(x.version)}`}>${x.version}</a>`
                }
              </th>
              <td data-label="Arch">${x.arches.map((a) => label(ARCH_LABELS, a)).join(", ")}</td>
              <td data-label="FIPS">${x.fips ? "Yes" : "No"}</td>
              <td data-label="File"><${FileName} name=${x.fileName} /></td>
              <td data-label="Size" class="num">${humanSize(x.size)}</td>
              <td data-label="SHA-256"><${Sha256} value=${x.sha256} fileName=${x.fileName} /></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** The versions taken out of the catalog, with when and why (newest yank first). */
function YankedVersions({ yanked }: { yanked: YankRecord[] }) {
  if (!yanked.length) return null;
  return html`<section class="card stack" aria-labelledby="yanked-title">
    <h2 id="yanked-title">Yanked versions</h2>
    <p class="small muted">No longer offered or downloadable; kept here so an old link or bundle can say why.</p>
    <ul data-yanked>
      ${yanked.map((y) => html`<li data-yanked-version=${y.version}><strong>${y.version}</strong>: ${yankWords(y)}</li>`)}
    </ul>
  </section>`;
}

export function PackPage({
  pack,
  version,
  productNames = {},
  images = [],
  gone,
}: {
  pack: PackWithVersions & { yanked?: YankRecord[] };
  version: string;
  productNames?: Record<string, string>;
  /** The container images the shown version ships. */
  images?: ImageRef[];
  /** The yanked version an old link asked for: said first, before the published ones. */
  gone?: YankRecord;
}) {
  const v = pack.versions.find((x) => x.version === version) ?? pack.versions[0];
  return html`<${Head} title=${`${pack.displayName} ${v.version}`} islands=${["copy"]} />
    <${Breadcrumbs} trail=${[{ href: "/", label: "Home" }, { href: "/packs", label: "Browse packs" }, { label: pack.displayName }]} />
    <div class="page-head">
      <p class="eyebrow">${pack.layer === "addon" ? "Additional pack" : layerPack(pack.layer)}${pack.addonType ? ` · ${pack.addonType}` : ""}${pack.source === "community" ? " · Community" : ""}</p>
      <h1>${pack.displayName} ${v.version}</h1>
      <p>${pack.description}</p>
    </div>
    ${
      gone
        ? html`<${Notice} kind="warn"><p data-gone><strong>${pack.displayName} ${gone.version} was ${yankWords(gone)}.</strong> It is no longer offered or downloadable; the newest published version is shown below.</p><//>`
        : null
    }
    <div class="stack">
      <${VersionSummary} pack=${pack} v=${v} productNames=${productNames} />
      <${Dependencies} dependencies=${v.dependencies} />
      <${ContainerImages} images=${images} />
      <${AllVersions} pack=${pack} shown=${v.version} />
      <${YankedVersions} yanked=${pack.yanked ?? []} />
    </div>`;
}
