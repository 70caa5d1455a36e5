// Configure bundle, one layer per page: only the compatible packs are offered (radio for the
// one-pack layers, checkboxes for add-ons); the step links to its hidden versions, each with its
// reasons, on a page of their own (HiddenStep). One GET form carries the filters, the picks and the
// list of packs it showed, so /bundle/next can apply the picks without JavaScript.
import type { MissingPack } from "../../../worker/catalog/types";
import { html } from "htm/preact";
import { ARCHES, type Layer, packRefId } from "../../../worker/domain/vocabulary";
import type { CompatibleResult, PackVersionSummary, WizardState } from "../../../worker/catalog/types";
import { HiddenInputs } from "../../components/ui";
import { ARCH_LABELS, CLOUD_LABELS, label, LAYER_LABELS, layerPack } from "../../lib/format";
import { adjacentStep, stateQuery, stepHref } from "../../lib/wizard";
import { MissingPacksNotice, WizardFrame } from "./frame";
import { AgentNotice } from "./start";

/** Packs per page of a layer step (those that may fit, found by the query). */
export const PACKS_PER_PAGE = 20;

const HEADINGS: Record<Layer, { title: string; intro: string }> = {
  os: {
    title: "Choose an operating system",
    intro: "Only the packs compatible with your previous selections are displayed.",
  },
  k8s: {
    title: "Choose your Kubernetes distribution and version",
    intro: "Only versions compatible with the chosen OS and product are offered.",
  },
  cni: { title: "Choose your networking pack", intro: "The Container Network Interface for the cluster." },
  csi: { title: "Choose your storage pack", intro: "The Container Storage Interface for the cluster." },
  addon: { title: "Add additional packs", intro: "Select any add-on packs you want in the bundle." },
};

type PackGroup = {
  name: string;
  displayName: string;
  description: string;
  addonType: string | null;
  source: string;
  versions: PackVersionSummary[];
};

/** Offered versions folded into one entry per pack, keeping the catalog's order. */
export function groupPacks(versions: readonly PackVersionSummary[]): PackGroup[] {
  const groups: PackGroup[] = [];
  for (const v of versions) {
    const last = groups.at(-1);
    if (last?.name === v.name) last.versions.push(v);
    else
      groups.push({
        name: v.name,
        displayName: v.displayName,
        description: v.description,
        addonType: v.addonType,
        source: v.source,
        versions: [v],
      });
  }
  return groups;
}

const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * The add-on search, the rule the query applies (db/layer-candidates.ts packWords, the packs search's
 * full-text prefix match): every word's parts must each begin a word of the name, display name,
 * description or type, or the word must occur in the layer's name ("network" finds the CNIs on the
 * add-on only step, which offers every layer). Hidden versions carry only their names, so they
 * match on those.
 */
export function matchesSearch(
  pack: Pick<PackVersionSummary, "name" | "displayName"> &
    Partial<Pick<PackVersionSummary, "description" | "addonType" | "layer">>,
  q: string | undefined,
): boolean {
  const words = (q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const layer = pack.layer ? LAYER_LABELS[pack.layer].toLowerCase() : "";
  const text = wordsOf([pack.name, pack.displayName, pack.description ?? "", pack.addonType ?? ""].join(" "));
  return words.every(
    (w) => layer.includes(w) || wordsOf(w).every((part) => text.some((word) => word.startsWith(part))),
  );
}

type LayerProps = {
  state: WizardState;
  result: CompatibleResult;
  /** Chosen pack versions the catalog no longer publishes. */
  missing: readonly MissingPack[];
  q?: string;
  page: number;
};

function Badges({ v, showLayer }: { v: PackVersionSummary; showLayer: boolean }) {
  return html`<span class="badges">
    ${showLayer ? html`<span class="badge accent">${LAYER_LABELS[v.layer]}</span>` : null}
    ${v.addonType ? html`<span class="badge">${v.addonType}</span>` : null}
    ${v.fips ? html`<span class="badge ok">FIPS</span>` : null}
    ${v.arches.map((a) => html`<span class="badge">${label(ARCH_LABELS, a)}</span>`)}
    ${v.source === "community" ? html`<span class="badge warn">Community</span>` : null}
  </span>`;
}

function PackChoice({
  group,
  multiple,
  chosen,
  showLayer,
}: {
  group: PackGroup;
  multiple: boolean;
  chosen: Set<string>;
  showLayer: boolean;
}) {
  const headingId = `pack-${group.name}`;
  return html`<li class="pack" aria-labelledby=${headingId}>
    <div class="pack-head">
      <h3 id=${headingId}>${group.displayName}</h3>
      <${Badges} v=${group.versions[0]} showLayer=${showLayer} />
    </div>
    <p>${group.description} <a href=${`/packs/${group.name}`} class="small">Pack details</a></p>
    <ul class="versions">
      ${group.versions.map((v) => {
        const key = packRefId(v);
        return html`<li>
          <label class="version-pick">
            <input type=${multiple ? "checkbox" : "radio"} name="pick" value=${key} checked=${chosen.has(key)} aria-label=${`${group.displayName} ${v.version}`} />
            ${v.version}
          </label>
        </li>`;
      })}
    </ul>
  </li>`;
}

type Hidden = CompatibleResult["hidden"];

/** Search words (add-ons only), architecture and FIPS. */
function SearchBar({
  state,
  multiple,
  q,
  productFips,
}: {
  state: WizardState;
  multiple: boolean;
  q?: string;
  productFips: boolean;
}) {
  return html`<div class="card searchbar">
    ${
      multiple
        ? html`<div class="field grow">
          <label for="q">Search packs</label>
          <input id="q" type="search" name="q" value=${q ?? ""} placeholder="Name, type or description" />
        </div>`
        : null
    }
    <div class="field">
      <label for="arch">Architecture</label>
      <select id="arch" name="arch">
        <option value="">Any</option>
        ${ARCHES.map((a) => html`<option value=${a} selected=${state.arch === a}>${ARCH_LABELS[a]}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="fips">FIPS</label>
      <select id="fips" name="fips">
        <option value="">${productFips && state.fips === undefined ? "FIPS only (product)" : "FIPS and non-FIPS"}</option>
        <option value="true" selected=${state.fips === true}>FIPS only</option>
      </select>
    </div>
    <button type="submit" name="go" value="stay" class="secondary">${multiple ? "Search" : "Apply"}</button>
  </div>`;
}

/** Chosen packs of this layer the catalog now hides: shown checked, with why, so they can be dropped. */
function NoLongerCompatible({ chosenHidden, multiple }: { chosenHidden: Hidden; multiple: boolean }) {
  return html`<li class="pack">
    <h3>Chosen earlier, no longer compatible</h3>
    <ul class="versions">
      ${chosenHidden.map(
        (v) => html`<li>
          <label class="version-pick"><input type=${multiple ? "checkbox" : "radio"} name="pick" value=${packRefId(v)} checked /> ${v.displayName} ${v.version}</label>
          <span class="reasons">${v.reasons.join("; ")}</span>
        </li>`,
      )}
    </ul>
  </li>`;
}

/** The offered packs (a "none" choice first on one-pack layers), or why there are none. */
function ChoiceList({
  layer,
  groups,
  multiple,
  chosen,
  chosenHere,
  chosenHidden,
  hiddenCount,
  showLayer,
  q,
  current,
  hasNext,
}: {
  layer: Layer;
  groups: PackGroup[];
  multiple: boolean;
  chosen: Set<string>;
  chosenHere: readonly PackVersionSummary[];
  chosenHidden: Hidden;
  hiddenCount: number;
  showLayer: boolean;
  q?: string;
  current: number;
  hasNext: boolean;
}) {
  if (groups.length === 0)
    return html`<div class="card"><p>No compatible ${layerPack(layer)}${multiple && q ? ` matches “${q}”` : ""}. ${hiddenCount ? "The link below says which are hidden, and why." : ""}</p></div>`;
  return html`<fieldset>
    <legend class=${multiple ? "visually-hidden" : ""}><h2 class="legend-heading">${label(LAYER_LABELS, layer)}${layer === "addon" ? "" : " packs"}${current > 1 || hasNext ? ` (page ${current})` : ""}</h2></legend>
    <ul class="pack-list">
      ${
        !multiple
          ? html`<li class="pack">
            <label class="version-pick"><input type="radio" name="pick" value="" checked=${chosenHere.length === 0} /> No ${layerPack(layer)}</label>
          </li>`
          : null
      }
      ${groups.map((g) => html`<${PackChoice} group=${g} multiple=${multiple} chosen=${chosen} showLayer=${showLayer} />`)}
      ${chosenHidden.length ? html`<${NoLongerCompatible} chosenHidden=${chosenHidden} multiple=${multiple} />` : null}
    </ul>
  </fieldset>`;
}

/** Add-on page buttons. */
function Pager({ current, hasNext, packCount }: { current: number; hasNext: boolean; packCount: number }) {
  return html`<div class="pager">
    <button type="submit" name="go" value="prev-page" class="secondary" disabled=${current <= 1}>Previous page</button>
    <span class="muted small">Page ${current} · ${packCount} packs</span>
    <button type="submit" name="go" value="next-page" class="secondary" disabled=${!hasNext}>Next page</button>
  </div>`;
}

/** Back, the bundle's size and the step's next button. */
function SelectionBar({ backHref, packCount, nextLabel }: { backHref: string; packCount: number; nextLabel: string }) {
  return html`<div class="selection-bar">
    <a href=${backHref} class="button secondary">Back</a>
    <span class="muted small">${packCount} pack${packCount === 1 ? "" : "s"} in the bundle</span>
    <button type="submit" name="go" value="next">${nextLabel}</button>
  </div>`;
}

/**
 * The step's hidden versions: how many, and a link to the page that lists them with why. Listing
 * them here would make the step's page twice the size on a large catalog for a list few open.
 */
function HiddenPacksLink({ count, href, paged }: { count: number; href: string; paged: boolean }) {
  const what = `${count} ${count === 1 ? "version" : "versions"}${paged ? " on this page" : ""}`;
  return html`<p class="hidden-packs">${what} cannot go into this bundle. <a href=${href}>See which, and why</a></p>`;
}

/** The add-on step's search (the one step that searches), as layerStep reads it. */
const searchOf = (layer: Layer, q: string | undefined) => (layer === "addon" && q) || undefined;

/** Where a layer step's hidden versions are listed, for the same state, search and page. */
export const hiddenHref = (layer: Layer, state: WizardState, q: string | undefined, page: number) =>
  `/bundle/layers/${layer}/hidden${stateQuery(state, { q: searchOf(layer, q), page: page > 1 ? String(page) : undefined })}`;

/** Where a layer step is, for the same state, search and page. */
const layerHref = (layer: Layer, state: WizardState, q: string | undefined, page: number) =>
  stepHref(layer, state, { q: searchOf(layer, q), page: page > 1 ? String(page) : undefined });

/** A pack's hidden versions that follow each other in the list and are hidden for the same reasons. */
type HiddenGroup = { name: string; displayName: string; versions: string[]; reasons: string };

/** Hidden versions folded into one entry per pack and reasons, in the list's order (newest first). */
export function hiddenGroups(hidden: Hidden): HiddenGroup[] {
  const groups: HiddenGroup[] = [];
  for (const v of hidden) {
    const reasons = v.reasons.join("; ");
    const last = groups.at(-1);
    if (last?.name === v.name && last.reasons === reasons) last.versions.push(v.version);
    else groups.push({ name: v.name, displayName: v.displayName, versions: [v.version], reasons });
  }
  return groups;
}

/** The versions of a layer step's page that cannot go into the bundle, each with its reasons. */
export function HiddenStep({ state, result, q, page }: Omit<LayerProps, "missing">) {
  const layer = result.layer;
  const addOnOnly = state.useCase === "addon";
  const search = searchOf(layer, q);
  const hidden = search ? result.hidden.filter((v) => matchesSearch(v, search)) : result.hidden;
  const paged = page > 1 || result.nextCursor !== null;
  const where = `${addOnOnly ? "every layer" : `${LAYER_LABELS[layer]} layer`}${paged ? `, page ${page}` : ""}${search ? `, matching “${search}”` : ""}`;
  // A page number past the step's last page lists no packs at all: say so, not that nothing is hidden.
  const empty = page > 1 && result.offered.length === 0 && result.hidden.length === 0;
  const title = `Hidden ${addOnOnly ? "packs" : layerPack(layer, true)}`;
  return html`<${WizardFrame} state=${state} current=${layer} title=${title}>
    <div class="page-head">
      <p class="eyebrow">Configure bundle · ${where}</p>
      <h1>${title}</h1>
      <p>These versions exist in the catalog but cannot go into this bundle, each with why.</p>
    </div>
    ${
      hidden.length
        ? html`<ul class="hidden-packs">
          ${hiddenGroups(hidden).map(
            (g) =>
              html`<li><a href=${`/packs/${g.name}`}>${g.displayName}</a> ${g.versions.join(", ")}<span class="reasons"> — ${g.reasons}</span></li>`,
          )}
        </ul>`
        : html`<div class="card"><p>${empty ? `The step has no page ${page}.` : "Nothing is hidden here: every version can go into this bundle."}</p></div>`
    }
    <p><a class="button secondary" href=${layerHref(layer, state, q, page)}>Back to the step</a></p>
  <//>`;
}

export function LayerStep({ state, result, missing, q, page }: LayerProps) {
  const layer = result.layer;
  const multiple = layer === "addon";
  const chosen = new Set(state.packs.map(packRefId));
  const heading = HEADINGS[layer];
  const addOnOnly = state.useCase === "addon";
  const offered = multiple ? result.offered.filter((v) => matchesSearch(v, q)) : result.offered;
  const hidden = multiple ? result.hidden.filter((v) => matchesSearch(v, q)) : result.hidden;
  // A layer comes a page at a time (PACKS_PER_PAGE packs that may fit, found by the query); a
  // one-pack layer's current choice is offered on every page.
  const groups = groupPacks(offered);
  const current = Math.max(page, 1);
  const hasNext = result.nextCursor !== null;
  const chosenHidden = result.hidden.filter((v) => chosen.has(packRefId(v)));
  // Packs no longer published count as shown and unpicked, so submitting the form (after the notice
  // said so) drops them rather than carrying a pack that cannot be downloaded, or a second one-pack choice.
  const shown = [...groups.flatMap((g) => g.versions), ...chosenHidden, ...missing];
  const chosenHere = [...result.offered, ...result.hidden].filter((v) => chosen.has(packRefId(v)));
  const nextLabel = layer !== "addon" ? "Next Layer" : addOnOnly ? "Next Step" : "Add to Bundle";
  const context = [
    result.context.cloud ? label(CLOUD_LABELS, result.context.cloud) : "any cloud",
    result.context.fips ? "FIPS only" : null,
  ].filter(Boolean);
  const title = addOnOnly ? "Configure bundle" : heading.title;

  return html`<${WizardFrame} state=${state} current=${layer} title=${addOnOnly ? "Configure bundle" : LAYER_LABELS[layer]} islands=${["autosubmit"]}>
    <div class="page-head">
      <p class="eyebrow">Configure bundle · ${addOnOnly ? "every layer" : `${LAYER_LABELS[layer]} layer`} · ${context.join(" · ")}</p>
      <h1>${title}</h1>
      <p>${addOnOnly ? "Search for and select any packs you want to download, from every layer: OS, Kubernetes, network, storage and add-ons." : heading.intro}</p>
    </div>
    ${state.useCase === "agent" ? html`<${AgentNotice} />` : null}
    <${MissingPacksNotice} state=${state} missing=${missing} step=${layer} extra=${{ q }} />
    <form method="get" action="/bundle/next" data-autosubmit>
      <input type="hidden" name="from" value=${layer} />
      <${HiddenInputs} values=${Object.fromEntries(new URLSearchParams(stateQuery({ ...state, arch: undefined, fips: undefined })))} />
      <input type="hidden" name="shown" value=${shown.map(packRefId).join(",")} />
      <input type="hidden" name="page" value=${String(current)} />
      <${SearchBar} state=${state} multiple=${multiple} q=${q} productFips=${result.context.fips} />

      <${ChoiceList}
        layer=${layer}
        groups=${groups}
        multiple=${multiple}
        chosen=${chosen}
        chosenHere=${chosenHere}
        chosenHidden=${chosenHidden}
        hiddenCount=${hidden.length}
        showLayer=${addOnOnly}
        q=${q}
        current=${current}
        hasNext=${hasNext}
      />
      ${current > 1 || hasNext ? html`<${Pager} current=${current} hasNext=${hasNext} packCount=${groups.length} />` : null}
      <${SelectionBar} backHref=${stepHref(adjacentStep(layer, state, -1), state)} packCount=${state.packs.length} nextLabel=${nextLabel} />
    </form>
    ${hidden.length ? html`<${HiddenPacksLink} count=${hidden.length} href=${hiddenHref(layer, state, q, current)} paged=${hasNext || current > 1} />` : null}
  <//>`;
}
