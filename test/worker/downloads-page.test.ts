// Downloads on the pages the docs put them on: the Confirm step, the Browse packs selection bar and
// the installers table carry the captcha widget (or the local "captcha off" notice), Download Bundle
// and Copy all URLs; their no-JavaScript POST comes back as the same page with every file and
// signature link, the .tar, the URL box, the manifests and the guides. /download only redirects.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { expectWellFormedPage } from "./pages-support";
import { attrs, parseHtml } from "./support/dom";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { ADMIN_AUTH } from "./support/studio";

const ORIGIN = "http://studio.test";
const BUNDLE = "product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws";
const CONFIRM = `/bundle/confirm?${BUNDLE}&packs=kubernetes@1.30.4,cni-calico@3.29.2`;

const page = (path: string, init?: RequestInit) => exports.default.fetch(new Request(new URL(path, ORIGIN), init));
const post = (path: string, fields: [string, string][]) =>
  page(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

/** A request with other settings (a fresh execution context, as each deployment has its own). */
async function withEnv(path: string, overrides: Record<string, string>, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(new URL(path, ORIGIN), init), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return { res, csp: res.headers.get("Content-Security-Policy") ?? "", html: await res.text() };
}

/** The URL box's lines. linkedom leaves character references in a <textarea> (RCDATA) undecoded, so
 * they are decoded as a browser does, by parsing the box's raw text as HTML text. */
const urlBox = (html: string) => {
  const raw = parseHtml(html).querySelector("textarea#download-urls")?.textContent ?? "";
  return (parseHtml(`<p>${raw}</p>`).querySelector("p")?.textContent ?? "").trim().split("\n");
};

/** A page's download form: the form around its Download Bundle button. */
function downloadForm(html: string) {
  const form = parseHtml(html).querySelector('button[name="action"][value="download"]')?.closest("form");
  expect(form, "a form with Download Bundle").toBeTruthy();
  return form!;
}

/** A download form's two buttons, with the attributes that make them post (or not). */
const buttons = (form: ReturnType<typeof downloadForm>) =>
  // The folder button is the island's (hidden until it finds a folder picker); its own test is in the browser.
  Array.from(form.querySelectorAll('button[name="action"]:not([value="file"]):not([value="folder"])'), (b) => ({
    type: b.getAttribute("type"),
    value: b.getAttribute("value"),
    text: b.textContent,
    formmethod: b.getAttribute("formmethod"),
    formaction: b.getAttribute("formaction"),
    disabled: b.hasAttribute("disabled"),
  }));

/** The grant's file links (each file and signature) as the page lists them. */
const fileLinks = (html: string, attribute: string) => attrs(parseHtml(html), "a[data-file]", attribute);

beforeAll(async () => {
  await dropRelease(env, "page-4-6-12", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.2", layer: "cni" },
      { name: "kubernetes", version: "1.30.4", layer: "k8s" },
    ],
    installers: [
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "content-bundle" },
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "iso" },
    ],
  });
  await syncAndSettle(env);
});

describe("the download forms on the pages", () => {
  it("Confirm posts its own form with the captcha-off notice, the tip and the two buttons", async () => {
    const html = await (await page(CONFIRM)).text();
    const form = downloadForm(html);
    expect(form.getAttribute("method")).toBe("post");
    expect(form.getAttribute("action")).toBe(CONFIRM);
    expect(form.textContent).toContain("Captcha off (local development).");
    expect(form.textContent).toContain("Ensure that pop-ups and multiple downloads are allowed");
    expect(buttons(form)).toMatchObject([
      { type: "submit", value: "download", text: "Download Bundle" },
      { type: "submit", value: "urls", text: "Copy all URLs" },
    ]);
    const script = parseHtml(html).querySelector('script[src="/js/download.js"]');
    expect(script?.getAttribute("type")).toBe("module");
    expect(html).not.toContain("/download?");
  });

  it("the Browse selection bar's buttons post the browse form back to /packs", async () => {
    const html = await (await page("/packs?selected=cni-calico@3.29.2")).text();
    const form = downloadForm(html);
    expect(form.getAttribute("method")).toBe("get");
    expect(form.getAttribute("action")).toBe("/packs");
    expect(buttons(form)).toEqual([
      {
        type: "submit",
        value: "download",
        text: "Download Bundle",
        formmethod: "post",
        formaction: "/packs",
        disabled: false,
      },
      {
        type: "submit",
        value: "urls",
        text: "Copy all URLs",
        formmethod: "post",
        formaction: "/packs",
        disabled: false,
      },
    ]);
    expect(form.querySelector('button[value="download"]')?.getAttribute("data-download-action")).toBe("true");
    expect(form.textContent).toContain("Captcha off (local development).");
  });

  it("the installers table is one form: a Download per row, Download Bundle and Copy all URLs", async () => {
    const html = await (await page("/install/palette-enterprise?version=4.6.12")).text();
    const form = downloadForm(html);
    expect(form.getAttribute("method")).toBe("post");
    expect(form.getAttribute("action")).toBe("/install/palette-enterprise?version=4.6.12");
    expect(attrs(form, 'button[value="file"]', "data-kind")).toEqual(["content-bundle", "iso"]);
    expect(form.querySelector('button[aria-label="Download palette-enterprise-appliance-4.6.12.iso"]')).not.toBeNull();
    expect(form.textContent).toContain("Captcha off (local development).");
  });

  it("embeds the configured widget in each form and opens the CSP only for its provider", async () => {
    const turnstile = await withEnv(`${CONFIRM}&_=turnstile`, {
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SITE_KEY: "0x4AAA-site",
      CAPTCHA_SECRET: "s",
    });
    const form = downloadForm(turnstile.html);
    const script = form.querySelector('script[src="https://challenges.cloudflare.com/turnstile/v0/api.js"]');
    expect(script?.hasAttribute("async") && script.hasAttribute("defer")).toBe(true);
    const widget = form.querySelector("div.cf-turnstile");
    expect(widget?.getAttribute("data-sitekey")).toBe("0x4AAA-site");
    expect(widget?.getAttribute("data-action")).toBe("download");
    expect(turnstile.csp).toMatch(/script-src 'self' https:\/\/challenges\.cloudflare\.com/);
    expect(turnstile.csp).toMatch(/frame-src 'self' https:\/\/challenges\.cloudflare\.com/);
    expect(turnstile.csp).not.toContain("google");
    expectWellFormedPage(turnstile.html);

    for (const path of [
      "/packs?selected=cni-calico@3.29.2&_=recaptcha",
      "/install/palette-enterprise?version=4.6.12&_=recaptcha",
    ]) {
      const recaptcha = await withEnv(path, {
        CAPTCHA_PROVIDER: "recaptcha",
        CAPTCHA_SITE_KEY: "6Lc-site",
        CAPTCHA_SECRET: "s",
      });
      const around = downloadForm(recaptcha.html);
      const script = around.querySelector('script[src="https://www.google.com/recaptcha/api.js"]');
      expect(script?.hasAttribute("async") && script.hasAttribute("defer")).toBe(true);
      expect(around.querySelector("div.g-recaptcha")?.getAttribute("data-sitekey")).toBe("6Lc-site");
      expect(recaptcha.csp).toContain("https://www.google.com/recaptcha/");
      expect(recaptcha.csp).not.toContain("challenges.cloudflare.com");
    }
    const off = await withEnv(`${CONFIRM}&_=off`, {});
    expect(off.csp).not.toMatch(/google|challenges/);
  });

  it("a misconfigured captcha (no site key) disables the buttons with a notice; the page still renders", async () => {
    const { res, html } = await withEnv(`${CONFIRM}&_=misconfigured`, {
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SECRET: "s",
    });
    expect(res.status).toBe(200);
    expect(html).toContain("the captcha is misconfigured on this studio");
    expect(buttons(downloadForm(html)).map((b) => b.disabled)).toEqual([true, true]);
  });
});

describe("posting a download form", () => {
  it("Confirm comes back with each file and signature under its name, the .tar, the URL box and the guides", async () => {
    const res = await post(CONFIRM, [["action", "download"]]);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Refresh")).toBeNull();
    const html = await res.text();
    expectWellFormedPage(html);
    expect(html).toContain("Confirm your bundle");
    const files = fileLinks(html, "download");
    expect(files).toEqual([
      "kubernetes-1.30.4.zst",
      "kubernetes-1.30.4.sig.bin",
      "cni-calico-3.29.2.zst",
      "cni-calico-3.29.2.sig.bin",
    ]);
    const hrefs = fileLinks(html, "href");
    expect(hrefs[0]).toMatch(
      /^http:\/\/studio\.test\/dl\/[A-Za-z0-9_-]{22}\/\d+\.k2\.[A-Za-z0-9_-]{43}\/kubernetes-1\.30\.4\.zst$/,
    );
    expect(urlBox(html)).toEqual(hrefs);
    const doc = parseHtml(html);
    const tarLink = doc.querySelector("a[data-tar]");
    const tar = tarLink?.getAttribute("href") ?? "";
    expect(tar).toMatch(/^http:\/\/studio\.test\/api\/v1\/grants\/[A-Za-z0-9_-]{43}\/bundle\.tar$/);
    expect(tarLink?.textContent).toMatch(/^Download as one \.tar \([\d.]+\u00a0KB\)$/);
    const links = attrs(doc, "a", "href");
    for (const format of ["urls.txt", "bundle.curl", "SHA256SUMS", "download.sh"])
      expect(links.some((href) => href.endsWith(`/${format}`))).toBe(true);
    expect((await exports.default.fetch(tar, { method: "HEAD" })).status).toBe(200);
    expect(links).toContain(
      "https://docs.spectrocloud.com/self-hosted-setup/palette/management-appliance/upload-packs/",
    );
    expect(links).toContain("https://docs.spectrocloud.com/automation/palette-cli/commands/content/");
    expect(links).toContain("https://docs.spectrocloud.com/security/artifact-signatures/");
    // The grant was made from the wizard's bundle, as the audit shows.
    const audit = await page("/api/v1/admin/grants?limit=1", {
      headers: ADMIN_AUTH,
    });
    const { grants } = (await audit.json()) as {
      grants: { request: { bundle?: { useCase: string; packs: unknown[] } } }[];
    };
    expect(grants[0].request.bundle).toMatchObject({
      useCase: "controller",
      packs: [
        { name: "kubernetes", version: "1.30.4" },
        { name: "cni-calico", version: "3.29.2" },
      ],
    });
  });

  it("the output offers the .tar in DVD, DVD-DL and Blu-ray parts, each part link downloading its byte range", async () => {
    const html = await (await post(CONFIRM, [["action", "urls"]])).text();
    const output = parseHtml(html).querySelector("div.download-output")!;
    for (const label of ["DVD (4.7 GB): 1 part", "DVD-DL (8.5 GB): 1 part", "Blu-ray (25 GB): 1 part"])
      expect(output.textContent?.replace(/\s+/g, " ")).toContain(label);
    const tar = output.querySelector("a[data-tar]")?.getAttribute("href") ?? "";
    const grant = tar.replace(/\/bundle\.tar$/, "");
    const links = attrs(output, "a", "href");
    const part = `${grant}/bundle.tar.part-001?size=dvd`;
    expect(links).toContain(part);
    expect(links).toContain(`${grant}/PARTS.SHA256SUMS?size=dvd`);
    expect(links).toContain(`${grant}/join-and-verify.sh?size=dvd`);
    const partName = output.querySelector(`a[href="${part}"]`)?.getAttribute("download");
    expect(partName).toMatch(/^artifact-studio-[A-Za-z0-9_-]{22}\.tar\.part-001$/);
    const [whole, first] = await Promise.all(
      [tar, part].map(async (u) => new Uint8Array(await (await exports.default.fetch(u)).arrayBuffer())),
    );
    expect(first.byteLength).toBeGreaterThan(0);
    expect(first).toEqual(whole);
  });

  it("Browse applies the ticked boxes to the selection and keeps filters and selection on the page", async () => {
    const res = await post("/packs", [
      ["q", "calico"],
      ["selected", "kubernetes@1.30.4"],
      ["shown", "cni-calico@3.29.2"],
      ["pick", "cni-calico@3.29.2"],
      ["action", "urls"],
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(urlBox(html).map((u) => new URL(u).pathname.split("/").pop())).toEqual([
      "kubernetes-1.30.4.zst",
      "kubernetes-1.30.4.sig.bin",
      "cni-calico-3.29.2.zst",
      "cni-calico-3.29.2.sig.bin",
    ]);
    const doc = parseHtml(html);
    expect(doc.querySelector('input[name="q"]')?.getAttribute("value")).toBe("calico");
    expect(attrs(doc, 'input[type="hidden"][name="selected"]', "value")).toEqual([
      "kubernetes@1.30.4,cni-calico@3.29.2",
    ]);
  });

  it("Browse with nothing selected says so on the page, with a 400", async () => {
    const res = await post("/packs", [["action", "download"]]);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Select at least one pack first.");
  });

  it("the installers table grants every installer of the version and links the appliance guide", async () => {
    const res = await post("/install/palette-enterprise?version=4.6.12", [
      ["action", "file"],
      ["kind", "iso"],
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(fileLinks(html, "download")).toEqual([
      "palette-enterprise-4.6.12.tar.zst",
      "palette-enterprise-4.6.12.tar.sig.bin",
      "palette-enterprise-appliance-4.6.12.iso",
      "palette-enterprise-appliance-4.6.12.iso.sig.bin",
    ]);
    expect(fileLinks(html, "data-kind")).toEqual(["content-bundle", "content-bundle", "iso", "iso"]);
    expect(attrs(parseHtml(html), "a", "href")).toContain(
      "https://docs.spectrocloud.com/self-hosted-setup/palette/management-appliance/install/",
    );
  });

  it("shows the gate's refusal in the form: captcha off outside local is a 503 saying only misconfigured", async () => {
    const { res, html } = await withEnv(
      "/install/palette-enterprise?version=4.6.12",
      { ENVIRONMENT: "production" },
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "action=download",
      },
    );
    expect(res.status).toBe(503);
    expect(downloadForm(html).textContent).toContain("the studio is misconfigured");
    expect(html).not.toContain("CAPTCHA_PROVIDER");
    expect(html).toContain("palette-enterprise-4.6.12.tar.zst");
    expect(html).not.toContain("data-grant");
  });
});

describe("/download, for links shared before", () => {
  const location = async (path: string, init?: RequestInit) => {
    const res = await page(path, { redirect: "manual", ...init });
    expect(res.status).toBe(303);
    return res.headers.get("Location");
  };

  it("sends installers, packs and wizard bundles to the page whose form downloads them", async () => {
    expect(await location("/download?installers=palette-enterprise@4.6.12&kinds=iso")).toBe(
      "/install/palette-enterprise?version=4.6.12#download",
    );
    expect(await location("/download?packs=cni-calico@3.29.2,kubernetes@1.30.4")).toBe(
      "/packs?selected=cni-calico@3.29.2,kubernetes@1.30.4#download",
    );
    expect(await location(`/download?${BUNDLE}&packs=kubernetes@1.30.4`)).toBe(
      `/bundle/confirm?${BUNDLE}&packs=kubernetes@1.30.4#download`,
    );
    expect(
      await location("/download", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "packs=cni-calico%403.29.2&action=download",
      }),
    ).toBe("/packs?selected=cni-calico@3.29.2#download");
  });

  it("names a malformed or empty selection with a 400 page", async () => {
    const malformed = await page("/download?packs=no-version", { headers: { Accept: "text/html" } });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain("every pack must be name@version");
    expect((await page("/download")).status).toBe(400);
  });
});
