// Helpers for the page tests: fetch a page as a browser would (Accept: text/html, redirects not
// followed) and check what every page must have, reading it through a DOM (support/dom.ts).
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { parseHtml } from "./support/dom";

export const ORIGIN = "http://studio.test";

export async function getPage(path: string, init: RequestInit = {}) {
  const res = await exports.default.fetch(`${ORIGIN}${path}`, {
    redirect: "manual",
    ...init,
    headers: { Accept: "text/html,application/xhtml+xml", ...(init.headers as Record<string, string> | undefined) },
  });
  return { res, body: await res.text() };
}

/** A 200 HTML page's body, with the checks every page must pass. */
export async function htmlPage(path: string): Promise<string> {
  const { res, body } = await getPage(path);
  expect(res.status, `${path}: ${body.slice(0, 400)}`).toBe(200);
  expect(res.headers.get("Content-Type")).toContain("text/html");
  expectWellFormedPage(body);
  return body;
}

export function expectWellFormedPage(body: string) {
  expect(body.startsWith("<!doctype html>")).toBe(true);
  const doc = parseHtml(body);
  expect(doc.querySelectorAll("h1").length, "exactly one h1").toBe(1);
  for (const landmark of ["header", "nav", "main#main", "footer"])
    expect(doc.querySelector(landmark), landmark).not.toBeNull();
  expect(doc.querySelector('a[href="#main"]')?.getAttribute("class")).toBe("skip-link");
  expect(doc.querySelector('a.brand[href="/"]')?.textContent).toContain("Artifact Studio Home");
  expect(doc.querySelector('a.nav-link[href="/verify"]')).not.toBeNull();
  // No inline scripts or style attributes: the CSP forbids them.
  for (const script of Array.from(doc.querySelectorAll("script"))) expect(script.getAttribute("src")).toBeTruthy();
  expect(doc.querySelectorAll("[style]").length).toBe(0);
  // Every form control has a label (by for=id, aria-label, or wrapping label) or is hidden.
  for (const control of Array.from(doc.querySelectorAll("input, select, textarea"))) {
    if (control.getAttribute("type") === "hidden") continue;
    const labelled =
      control.hasAttribute("aria-label") ||
      (control.id !== "" && doc.querySelector(`label[for="${control.id}"]`) !== null) ||
      control.closest("label") !== null;
    expect(labelled, `unlabelled control ${control.outerHTML}`).toBe(true);
  }
}

/** The redirect target of a 303, as a path with query. */
export async function redirectOf(path: string, init: RequestInit = {}): Promise<string> {
  const { res, body } = await getPage(path, init);
  expect(res.status, `${path}: ${body.slice(0, 600)}`).toBe(303);
  const location = res.headers.get("Location")!;
  return location.startsWith("http") ? location.slice(ORIGIN.length) : location;
}

/** A 200 HTML page as a DOM document, after the checks every page must pass. */
export const htmlDocument = async (path: string): Promise<Document> => parseHtml(await htmlPage(path));
