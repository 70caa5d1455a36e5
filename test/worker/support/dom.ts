// HTML assertions through a DOM (linkedom, which runs inside workerd), so a page test reads the
// page as a browser does (elements, attributes, text) instead of matching regexes over markup.
import { parseHTML } from "linkedom";

/** A document or element to query (Workers' own Element type merges with the DOM's, so not ParentNode). */
type Root = Pick<ParentNode, "querySelector" | "querySelectorAll">;

/** The document of a page's HTML, for querySelector and friends. */
export const parseHtml = (markup: string): Document => parseHTML(markup).document as unknown as Document;

/** The trimmed, whitespace-collapsed text of the first element matching `selector`, if any. */
export function textOf(root: Root, selector: string): string | undefined {
  return root.querySelector(selector)?.textContent?.replace(/\s+/g, " ").trim();
}

/** An attribute of every element matching `selector`, in document order. */
export const attrs = (root: Root, selector: string, attribute: string): string[] =>
  Array.from(root.querySelectorAll(selector), (el) => el.getAttribute(attribute) ?? "");

/** A form's hidden fields as name → value. */
export const hiddenFields = (form: Root): Record<string, string> =>
  Object.fromEntries(
    Array.from(form.querySelectorAll("input[type=hidden]"), (i) => [
      i.getAttribute("name"),
      i.getAttribute("value") ?? "",
    ]),
  );

/** The texts of every element matching `selector`, whitespace collapsed. */
export const texts = (root: Root, selector: string): string[] =>
  Array.from(root.querySelectorAll(selector), (el) => el.textContent?.replace(/\s+/g, " ").trim() ?? "");
