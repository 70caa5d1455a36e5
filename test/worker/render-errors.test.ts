// The one renderer's document (a page's <Head> in the layout, its body in <main>) and the typed
// errors: badField, notFound, NoRoute and Hono's HTTPException in the one error shape.
import { HTTPException } from "hono/http-exception";
import { html } from "htm/preact";
import { describe, expect, it } from "vitest";
import { Head } from "../../web/components/layout";
import { documentHtml } from "../../web/components/layout";
import {
  ApiError,
  badField,
  errorBody,
  fieldOf,
  fromHttpException,
  NoRoute,
  NotFound,
  notFound,
} from "../../worker/errors";
import { parseHtml } from "./support/dom";

describe("documentHtml", () => {
  it("puts what the page's <Head> declares into the layout and the page's body into <main>", () => {
    const page = html`<${Head} title="Example" islands=${["copy"]} area="verify" /><h1>Body</h1><p>text</p>`;
    const doc = parseHtml(documentHtml(page as never));
    expect(doc.querySelector("title")?.textContent).toBe("Example · Artifact Studio");
    expect(Array.from(doc.querySelectorAll("head script"), (s) => s.getAttribute("src"))).toEqual(["/js/copy.js"]);
    expect(doc.querySelector('a.nav-link[href="/verify"]')?.getAttribute("aria-current")).toBe("page");
    expect(doc.querySelector("main#main")?.innerHTML).toBe("<h1>Body</h1><p>text</p>");
  });

  it("refuses a page that declares no <Head>, rather than rendering it untitled", () => {
    expect(() => documentHtml(html`<h1>No head</h1>` as never)).toThrow(/<Head>/);
  });
});

describe("typed errors", () => {
  it("badField names the field once, in the message and in details, as a 400", () => {
    const err = badField("spec", "the file is not JSON");
    expect(err.status).toBe(400);
    expect(errorBody(err)).toEqual({
      error: {
        code: "invalid_request",
        message: "spec: the file is not JSON",
        details: [{ field: "spec", message: "the file is not JSON" }],
      },
    });
    expect(fieldOf(err)).toBe("spec");
  });

  it("badField with 404 is a NotFound naming the field", () => {
    const err = badField("product", "there is no product nope", 404);
    expect(err).toBeInstanceOf(NotFound);
    expect(errorBody(err).error).toEqual({
      code: "not_found",
      message: "product: there is no product nope",
      details: [{ field: "product", message: "there is no product nope" }],
    });
  });

  it("notFound and NoRoute are NotFounds; only NoRoute is the app's own missing route", () => {
    const missing = notFound("pack nginx");
    expect(missing).toBeInstanceOf(NotFound);
    expect(missing).not.toBeInstanceOf(NoRoute);
    expect(errorBody(missing).error).toEqual({ code: "not_found", message: "pack nginx not found" });
    const route = new NoRoute("GET", "/nowhere");
    expect(route).toBeInstanceOf(NotFound);
    expect(route.status).toBe(404);
    expect(route.path).toBe("/nowhere");
    expect(route.message).toBe("no route for GET /nowhere");
  });

  it("maps Hono's HTTPException to the shape, keeping its headers but not its text Content-Type", () => {
    const res = new Response("Unauthorized", {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="admin"', "Content-Type": "text/plain" },
    });
    const err = fromHttpException(new HTTPException(401, { res }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("unauthorized");
    expect(err.message).toBe("a valid bearer token is required");
    expect(err.headers).toEqual({ "www-authenticate": 'Bearer realm="admin"' });
  });
});
