// Small building blocks the pages share: copyable values, notices, hidden-state inputs and the
// wizard's left menu. Everything renders to plain HTML that works without JavaScript; the copy
// island only adds the buttons' behaviour.
import type { ComponentChildren } from "preact";
import { html } from "htm/preact";

/** A button the copy island wires up; hidden until the island runs (copying needs JavaScript). */
export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what: string }) {
  return html`<button type="button" class="secondary small copy" data-copy=${text} data-needs-js aria-label=${`${label} ${what}`}>
    ${label}
  </button>`;
}

/**
 * A file name that wraps at its separators, never inside a word: palette-enterprise-appliance-|v4.6.12.iso,
 * not …v4.6.12.is|o. Browsers break after a hyphen on their own; the old `word-break: break-all` broke
 * anywhere. The name stays one text node, so it is copied, searched and matched as it is.
 */
export function FileName({ name, class: className }: { name: string; class?: string }) {
  return html`<code class=${`file-name${className ? ` ${className}` : ""}`}>${name}</code>`;
}

export function Sha256({ value, fileName }: { value: string; fileName: string }) {
  return html`<span class="sha"><code class="break" title=${`SHA-256 of ${fileName}`}>${value}</code>${CopyButton({ text: value, what: `SHA-256 of ${fileName}` })}</span>`;
}

export function CodeBlock({ code, what }: { code: string; what: string }) {
  // Focusable because long lines scroll sideways on a phone: keyboard users must be able to scroll too.
  return html`<div class="code-block">
    <pre tabindex="0"><code>${code}</code></pre>
    ${CopyButton({ text: code, what })}
  </div>`;
}

export function Notice({
  kind = "info",
  children,
}: {
  kind?: "info" | "warn" | "error" | "ok";
  children: ComponentChildren;
}) {
  return html`<div class=${`notice ${kind}`} role=${kind === "error" ? "alert" : undefined}>${children}</div>`;
}

/** The state a form must carry along besides its own controls. */
export function HiddenInputs({ values }: { values: Record<string, string | undefined> }) {
  return html`${Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([name, value]) => html`<input type="hidden" name=${name} value=${value} />`)}`;
}

export function PageHead({
  eyebrow,
  title,
  children,
}: {
  eyebrow?: string;
  title: string;
  children?: ComponentChildren;
}) {
  return html`<div class="page-head">
    ${eyebrow ? html`<p class="eyebrow">${eyebrow}</p>` : null}
    <h1>${title}</h1>
    ${children ? html`<p>${children}</p>` : null}
  </div>`;
}
