// Browse packs: filters on the left (product, version, cloud type, layer type), architecture and
// FIPS beside the search bar, facet counts, cursor pages, and a selection of pack versions that
// lives in the URL (`selected=name@version,...`). Everything is one GET form: picks, filters and
// page buttons submit together, so the selection survives any navigation without JavaScript. The
// selection bar carries the captcha, Download Bundle and Copy all URLs, which post the same form.
import { html } from "htm/preact";
import type { PackSearchResult, Product } from "../../worker/catalog/types";
import { ARCHES, CLOUDS, LAYERS, type PackRef, packRefId } from "../../worker/domain/vocabulary";
import {
  type CaptchaView,
  captchaThen,
  DownloadControls,
  type DownloadOutcome,
  DownloadOutput,
} from "../components/download-controls";
import { Breadcrumbs, Head } from "../components/layout";
import { HiddenInputs, Notice } from "../components/ui";
import { ARCH_LABELS, CLOUD_LABELS, humanSize, label, LAYER_LABELS, queryString } from "../lib/format";
import type { BrowseFilters } from "../lib/browse";
import { guidesAfter } from "../lib/guides";

type Props = {
  filters: BrowseFilters;
  result: PackSearchResult;
  products: Product[];
  selected: PackRef[];
  captcha: CaptchaView;
  /** What the download form's POST gave. */
  outcome?: DownloadOutcome;
};

/** The canonical /packs URL for filters, page and selection. */
export function browseHref(
  filters: BrowseFilters,
  selected: readonly PackRef[],
  page: { cursor?: string; trail?: string[] } = {},
): string {
  return `/packs${queryString({
    product: filters.product,
    version: filters.version,
    cloud: filters.cloud,
    layer: filters.layer,
    arch: filters.arch,
    fips: filters.fips === undefined ? undefined : String(filters.fips),
    q: filters.q,
    cursor: page.cursor,
    trail: page.trail?.length ? page.trail.join(",") : undefined,
    selected: selected.map(packRefId).join(","),
  })}`;
}

/**
 * A facet count's label; `atLeast` when the search's counts are lower bounds (totalRelation "gte"):
 * then "(12+)", and no number at all for 0, since the value's packs may all be past the counted matches.
 */
const countLabel = (atLeast: boolean) => (n: number | undefined) => {
  if (!atLeast) return ` (${n ?? 0})`;
  return n ? ` (${n}+)` : "";
};

function FilterSelect({
  id,
  labelText,
  value,
  options,
  anyLabel = "Any",
  disabled,
  hint,
}: {
  id: string;
  labelText: string;
  value?: string;
  options: { value: string; label: string }[];
  anyLabel?: string;
  disabled?: boolean;
  hint?: string;
}) {
  return html`<div class="field">
    <label for=${id}>${labelText}${hint ? html` <span class="hint">${hint}</span>` : null}</label>
    <select id=${id} name=${id} disabled=${disabled}>
      <option value="">${anyLabel}</option>
      ${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${o.label}</option>`)}
    </select>
  </div>`;
}

type Facets = PackSearchResult["facets"];

/** How many filters narrow the list (the search words are shown in their own box). */
export const appliedFilterCount = (f: BrowseFilters) =>
  [f.product, f.version, f.cloud, f.layer, f.arch, f.fips].filter((v) => v !== undefined && v !== "").length;

/** The left sidebar: product, version, cloud type and layer type, with facet counts. */
function FilterBar({
  filters,
  facets,
  atLeast,
  products,
  selected,
}: {
  filters: BrowseFilters;
  facets: Facets;
  atLeast: boolean;
  products: Product[];
  selected: PackRef[];
}) {
  const count = countLabel(atLeast);
  const product = products.find((p) => p.id === filters.product);
  const applied = appliedFilterCount(filters);
  // A disclosure: shut on a phone so the first result shows without scrolling past the filters,
  // always open beside the list on a wide screen (CSS); <details> works without JavaScript.
  return html`<aside class="sidebar card filters" aria-labelledby="filters-title">
    <details class="filters-disclosure">
    <summary><h2 id="filters-title">Filters${applied ? html` <span class="filter-count">(${applied} applied)</span>` : null}</h2></summary>
    <${FilterSelect}
      id="product"
      labelText="Product"
      value=${filters.product}
      options=${products.map((p) => ({ value: p.id, label: p.name + count(facets.product[p.id]) }))}
      anyLabel="All products"
    />
    <${FilterSelect}
      id="version"
      labelText="Version"
      value=${filters.version}
      options=${(product?.versions ?? []).map((v) => ({ value: v.version, label: v.version }))}
      anyLabel=${product ? "All versions" : "Choose a product first"}
      disabled=${!product}
    />
    <${FilterSelect}
      id="cloud"
      labelText="Cloud type"
      value=${filters.cloud}
      options=${CLOUDS.map((c) => ({ value: c, label: label(CLOUD_LABELS, c) + count(facets.cloud[c]) }))}
      anyLabel="All clouds"
    />
    <${FilterSelect}
      id="layer"
      labelText="Layer type"
      value=${filters.layer}
      options=${LAYERS.map((l) => ({ value: l, label: label(LAYER_LABELS, l) + count(facets.layer[l]) }))}
      anyLabel="All layers"
    />
    <div class="actions">
      <button type="submit" name="go" value="filter" class="secondary small">Apply filters</button>
      <a href=${browseHref({ trail: [] }, selected)} class="small">Clear filters</a>
    </div>
    </details>
  </aside>`;
}

/** The search words beside architecture and FIPS. */
function SearchBar({ filters, facets, atLeast }: { filters: BrowseFilters; facets: Facets; atLeast: boolean }) {
  const count = countLabel(atLeast);
  return html`<div class="card searchbar" role="search">
    <div class="field grow">
      <label for="q">Search packs</label>
      <input id="q" type="search" name="q" value=${filters.q ?? ""} placeholder="Name, type or description" />
    </div>
    <${FilterSelect}
      id="arch"
      labelText="Architecture"
      value=${filters.arch}
      options=${ARCHES.map((a) => ({ value: a, label: ARCH_LABELS[a] + count(facets.arch[a]) }))}
      anyLabel="AMD64 and ARM64"
    />
    <${FilterSelect}
      id="fips"
      labelText="FIPS"
      value=${filters.fips === undefined ? undefined : String(filters.fips)}
      options=${[
        { value: "true", label: `FIPS${count(facets.fips.true)}` },
        { value: "false", label: `non-FIPS${count(facets.fips.false)}` },
      ]}
      anyLabel="FIPS and non-FIPS"
    />
    <button type="submit" name="go" value="filter">Search</button>
  </div>`;
}

type PackItem = PackSearchResult["items"][number];

/** One pack of the list: its badges, description and a pick box per version. */
function PackCard({ item, selectedKeys }: { item: PackItem; selectedKeys: Set<string> }) {
  const headingId = `pack-${item.name}`;
  const latest = item.versions[0];
  return html`<li class="pack" aria-labelledby=${headingId}>
    <div class="pack-head">
      <h3 id=${headingId}><a href=${`/packs/${item.name}`}>${item.displayName}</a></h3>
      <span class="badges">
        <span class="badge accent">${label(LAYER_LABELS, item.layer)}</span>
        ${item.addonType ? html`<span class="badge">${item.addonType}</span>` : null}
        ${item.source === "community" ? html`<span class="badge warn">Community</span>` : null}
      </span>
    </div>
    <p>${item.description}</p>
    <ul class="versions">
      ${item.versions.map((v) => {
        const key = packRefId({ name: item.name, version: v.version });
        return html`<li>
          <label class="version-pick" title=${`${v.fileName}, ${humanSize(v.size)}`}>
            <input type="checkbox" name="pick" value=${key} checked=${selectedKeys.has(key)} aria-label=${`Select ${item.displayName} ${v.version}`} />
            ${v.version}${v.fips ? html` <span class="badge ok">FIPS</span>` : null}
            <span class="small muted">${v.arches.map((a) => label(ARCH_LABELS, a)).join("/")} · ${humanSize(v.size)}</span>
          </label>
        </li>`;
      })}
    </ul>
    ${latest.eol ? html`<p class="small muted">End of life ${latest.eol}</p>` : null}
  </li>`;
}

/** This page's packs, or a notice with a way out when nothing matches. */
function PackList({ items, selected }: { items: PackItem[]; selected: PackRef[] }) {
  if (items.length === 0)
    return html`<${Notice}><p>No pack matches these filters. <a href=${browseHref({ trail: [] }, selected)}>Clear the filters</a>.</p><//>`;
  const selectedKeys = new Set(selected.map(packRefId));
  return html`<ul class="pack-list">
    ${items.map((item) => html`<${PackCard} item=${item} selectedKeys=${selectedKeys} />`)}
  </ul>`;
}

/** Previous and next page buttons; the form carries the cursor trail. */
function Pager({ filters, nextCursor }: { filters: BrowseFilters; nextCursor: string | null }) {
  return html`<div class="pager">
    <button type="submit" name="go" value="prev" class="secondary" disabled=${filters.trail.length === 0 && !filters.cursor}>Previous page</button>
    <button type="submit" name="go" value="next" class="secondary" disabled=${!nextCursor}>Next page</button>
  </div>`;
}

/** The selection's count and list, with the captcha and the download buttons. */
function SelectionBar({
  filters,
  selected,
  captcha,
}: {
  filters: BrowseFilters;
  selected: PackRef[];
  captcha: CaptchaView;
}) {
  return html`<div class="selection-bar download-bar" id="download">
    <div class="stack">
      <h2 class="bar-title"><strong data-selection-count>${selected.length}</strong> selected<span class="small muted" data-selection-list>${selected.length ? `: ${selected.map(packRefId).join(", ")}` : ""}</span></h2>
      <span class="actions">
        <button type="submit" name="go" value="select" class="secondary small">Update selection</button>
        ${selected.length ? html`<a href=${browseHref(filters, [], { cursor: filters.cursor, trail: filters.trail })} class="small">Clear selection</a>` : null}
      </span>
    </div>
    <${DownloadControls} captcha=${captcha} formAction="/packs" grantBody=${JSON.stringify({ packs: selected.map(({ name, version }) => ({ name, version })) })} />
  </div>`;
}

/** "12 packs match", or for a search counted over its first matches only, a lower bound that says so. */
function matchCount({
  total,
  totalRelation,
  items,
}: Pick<PackSearchResult, "total" | "totalRelation" | "items">): string {
  // With filters, the counted matches may hold fewer of the filter's packs than this page shows.
  if (totalRelation === "gte")
    return `${Math.max(total, items.length)}+ packs match: this search finds more packs than it counts, so the numbers shown are lower bounds. Add words to narrow it.`;
  return `${total} pack${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""}`;
}

export function BrowsePage({ filters, result, products, selected, captcha, outcome }: Props) {
  const { facets } = result;
  const atLeast = result.totalRelation === "gte";
  const shown = result.items.flatMap((item) =>
    item.versions.map((v) => packRefId({ name: item.name, version: v.version })),
  );
  const pageNumber = filters.cursor ? filters.trail.length + 2 : 1;
  return html`<${Head} title="Browse packs" islands=${["autosubmit", "selection", "download", "copy"]} />
    <${Breadcrumbs} trail=${[{ href: "/", label: "Home" }, { label: "Browse packs" }]} />
    <div class="page-head">
      <h1>Browse packs</h1>
      <p>Filter and search the pack catalog and select the pack versions you need on any page. When finished, ${captchaThen(captcha, true)} Download Bundle, or Copy all URLs.</p>
    </div>
    <form method="get" action="/packs" class="with-sidebar" data-autosubmit data-selection>
      <input type="hidden" name="selected" value=${selected.map(packRefId).join(",")} />
      <${HiddenInputs} values=${{ shown: shown.join(","), cursor: filters.cursor, trail: filters.trail.join(","), next: result.nextCursor ?? undefined }} />
      <${FilterBar} filters=${filters} facets=${facets} atLeast=${atLeast} products=${products} selected=${selected} />
      <div>
        <${SearchBar} filters=${filters} facets=${facets} atLeast=${atLeast} />

        <p class="muted small" aria-live="polite">${matchCount(result)}${pageNumber > 1 ? ` · page ${pageNumber}` : ""}</p>
        <${PackList} items=${result.items} selected=${selected} />
        <${Pager} filters=${filters} nextCursor=${result.nextCursor} />
        <${SelectionBar} filters=${filters} selected=${selected} captcha=${captcha} />
        <${DownloadOutput} outcome=${outcome} guides=${guidesAfter("packs", filters.product)} />
      </div>
    </form>`;
}
