// "Download in parts" inside a download's output: the grant's .tar cut to DVD, DVD-DL or Blu-ray
// size, each preset with its part links, PARTS.SHA256SUMS and join-and-verify.sh. Plain links in
// <details>, so it needs no JavaScript and adds nothing to a page's scripts.
import { html } from "htm/preact";
import { PART_PRESETS, type PartPreset, partCount, partSuffix } from "../../worker/domain/vocabulary";
import { humanSize } from "../lib/format";

const LABELS: Record<PartPreset, string> = { dvd: "DVD (4.7 GB)", "dvd-dl": "DVD-DL (8.5 GB)", bd: "Blu-ray (25 GB)" };

type Tar = { url: string; size: number; folder: string };

export function PartsSection({ tar }: { tar: Tar }) {
  const base = tar.url.replace(/\/bundle\.tar$/, "");
  const { folder } = tar;
  return html`<section class="stack download-parts" aria-labelledby="download-parts-title">
    <h4 id="download-parts-title">Download in parts</h4>
    <p class="small">
      The same <code>.tar</code> cut into parts that fit on removable media. Rejoin with${" "}
      <code class="break">cat ${folder}.tar.part-* > ${folder}.tar</code>, or run <code>sh join-and-verify.sh</code> beside the
      parts: it checks every part, rejoins, untars and verifies the signatures and signed release manifests.
    </p>
    ${(Object.keys(PART_PRESETS) as PartPreset[]).map((preset) => {
      const count = partCount(tar.size, PART_PRESETS[preset]);
      const q = `?size=${preset}`;
      return html`<details>
        <summary>${LABELS[preset]}: ${count} ${count === 1 ? "part" : "parts"}</summary>
        <ul>
          ${Array.from({ length: count }, (_, i) => {
            const suffix = partSuffix(i + 1, count);
            return html`<li><a href=${`${base}/bundle.tar.${suffix}${q}`} download=${`${folder}.tar.${suffix}`} class="break">${folder}.tar.${suffix}</a></li>`;
          })}
          <li><a href=${`${base}/PARTS.SHA256SUMS${q}`} download="PARTS.SHA256SUMS">PARTS.SHA256SUMS</a></li>
          <li><a href=${`${base}/join-and-verify.sh${q}`} download="join-and-verify.sh">join-and-verify.sh</a></li>
          <li><a href=${`${base}/bundle.curl?parts=${preset}`}>bundle.curl</a> for <code>curl --parallel --fail -K bundle.curl</code></li>
        </ul>
      </details>`;
    })}
    <p class="small muted">
      Another size (at least 64 MiB): add <code>${"?size=<bytes>"}</code> (or <code>100MiB</code>, <code>5GB</code>) to the part,
      PARTS.SHA256SUMS and join-and-verify.sh links. Total ${humanSize(tar.size)}.
    </p>
  </section>`;
}
