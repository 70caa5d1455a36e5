// The /download page: what the site's pages link to it with, the captcha widget or the local
// "captcha off" notice, and the no-JavaScript POST that issues the grant and renders every link.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { runSync } from "../../worker/sync/run";
import { dropRelease, PALETTE_ENTERPRISE } from "./support/releases";

const page = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(new URL(path, "http://studio.test"), init));
const form = (fields: Record<string, string>) =>
  page("/download", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

beforeAll(async () => {
  await dropRelease(env, "page-4-6-12", {
    products: [PALETTE_ENTERPRISE],
    packs: [
      { name: "cni-calico", version: "3.29.2", layer: "cni" },
      { name: "kubernetes", version: "1.30.4", layer: "k8s" },
    ],
    installers: [{ product: "palette-enterprise", productVersion: "4.6.12", kind: "content-bundle" }],
  });
  await runSync(env, { trigger: "admin" });
});

describe("GET /download", () => {
  it("lists the chosen packs with the captcha-off notice and the two buttons", async () => {
    const res = await page("/download?packs=cni-calico@3.29.2,kubernetes@1.30.4");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("cni-calico-3.29.2.zst");
    expect(html).toContain("kubernetes-1.30.4.zst");
    expect(html).toContain("Captcha off (local development).");
    expect(html).toContain('name="action" value="download"');
    expect(html).toContain('name="action" value="urls"');
    expect(html).toContain('<input type="hidden" name="packs" value="cni-calico@3.29.2,kubernetes@1.30.4"/>');
  });

  it("names unknown packs and rejects a malformed query", async () => {
    const missing = await page("/download?packs=cni-calico@9.9.9");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("unknown pack versions: cni-calico@9.9.9");
    const malformed = await page("/download?packs=no-version");
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain("must be name@version");
  });

  it("embeds the configured widget and opens the CSP only for its provider", async () => {
    const render = async (overrides: Record<string, string>) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request("http://studio.test/download?installers=palette-enterprise@4.6.12"),
        { ...env, ...overrides },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return { csp: res.headers.get("Content-Security-Policy") ?? "", html: await res.text() };
    };
    const turnstile = await render({
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SITE_KEY: "0x4AAA-site",
      CAPTCHA_SECRET: "s",
    });
    expect(turnstile.html).toContain('<div class="cf-turnstile" data-sitekey="0x4AAA-site" data-action="download">');
    expect(turnstile.csp).toMatch(/script-src 'self' https:\/\/challenges\.cloudflare\.com/);
    expect(turnstile.csp).toMatch(/frame-src 'self' https:\/\/challenges\.cloudflare\.com/);
    expect(turnstile.csp).not.toContain("google");

    const recaptcha = await render({
      CAPTCHA_PROVIDER: "recaptcha",
      CAPTCHA_SITE_KEY: "6Lc-site",
      CAPTCHA_SECRET: "s",
    });
    expect(recaptcha.html).toContain('<div class="g-recaptcha" data-sitekey="6Lc-site">');
    expect(recaptcha.csp).toContain("https://www.google.com/recaptcha/");
    expect(recaptcha.csp).not.toContain("challenges.cloudflare.com");

    const off = await render({});
    expect(off.csp).not.toMatch(/google|challenges/);
  });

  it("answers a misconfigured captcha (no site key) with an HTML 503 page, not JSON", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://studio.test/download?installers=palette-enterprise@4.6.12", {
        headers: { Accept: "text/html" },
      }),
      { ...env, CAPTCHA_PROVIDER: "turnstile", CAPTCHA_SECRET: "s" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(await res.text()).toContain("The studio is misconfigured");
  });
});

describe("POST /download", () => {
  it("issues the grant and renders the bundle, each file, the manifests and a Refresh to the tar", async () => {
    const res = await form({ packs: "cni-calico@3.29.2,kubernetes@1.30.4", action: "download" });
    expect(res.status).toBe(200);
    const refresh = res.headers.get("Refresh") ?? "";
    const tarUrl = /^0; url=(.*)$/.exec(refresh)?.[1];
    expect(tarUrl).toMatch(/^http:\/\/studio\.test\/api\/v1\/grants\/[A-Za-z0-9_-]{43}\/bundle\.tar$/);
    const html = await res.text();
    expect(html).toContain(`href="${tarUrl}"`);
    expect(html).toMatch(
      /href="http:\/\/studio\.test\/dl\/[A-Za-z0-9_-]{22}\/cni-calico-3\.29\.2\.zst\?exp=\d+&amp;kid=k2&amp;sig=/,
    );
    expect(html).toMatch(/href="http:\/\/studio\.test\/dl\/[A-Za-z0-9_-]{22}\/kubernetes-1\.30\.4\.sig\.bin\?exp=/);
    for (const format of ["urls.txt", "bundle.curl", "manifest.json", "SHA256SUMS", "download.sh"])
      expect(html).toContain(`/${format}"`);
    const tar = await exports.default.fetch(tarUrl!, { method: "HEAD" });
    expect(tar.status).toBe(200);
  });

  it("offers the tar in DVD, DVD-DL and Blu-ray parts, each part link downloading its byte range", async () => {
    const res = await form({ packs: "cni-calico@3.29.2", action: "urls" });
    const html = await res.text();
    for (const label of ["DVD (4.7 GB): 1 part", "DVD-DL (8.5 GB): 1 part", "Blu-ray (25 GB): 1 part"])
      expect(html).toContain(label);
    const part = /href="([^"]*\/bundle\.tar\.part-001\?size=dvd)"/.exec(html)?.[1];
    expect(part).toBeDefined();
    const tar = /href="([^"]*\/bundle\.tar)"/.exec(html)![1];
    const [whole, first] = await Promise.all(
      [tar, part!].map(async (u) => new Uint8Array(await (await exports.default.fetch(u)).arrayBuffer())),
    );
    expect(first).toEqual(whole);
    expect(html).toMatch(/href="[^"]*\/join-and-verify\.sh\?size=dvd"/);
  });

  it("Copy all URLs shows urls.txt without a Refresh; the wizard's bundle state becomes a bundle grant", async () => {
    const res = await form({
      product: "palette-enterprise",
      version: "4.6.12",
      useCase: "controller",
      cloud: "aws",
      packs: "kubernetes@1.30.4",
      action: "urls",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Refresh")).toBeNull();
    const html = await res.text();
    const textarea = /<textarea id="urls"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? "";
    expect(textarea.trim().split("\n")).toHaveLength(2);
    const audit = await page("/api/v1/admin/grants?limit=1", {
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
    });
    const { grants } = (await audit.json()) as {
      grants: { request: { bundle?: { useCase: string; packs: unknown[] } } }[];
    };
    expect(grants[0].request.bundle).toMatchObject({
      useCase: "controller",
      packs: [{ name: "kubernetes", version: "1.30.4" }],
    });
  });

  it("shows the gate's refusal on the page: captcha off outside local is a 503 saying only misconfigured", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://studio.test/download", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "installers=palette-enterprise%404.6.12&action=download",
      }),
      { ...env, ENVIRONMENT: "production" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain("the studio is misconfigured");
    expect(html).not.toContain("CAPTCHA_PROVIDER");
    expect(html).toContain("palette-enterprise-4.6.12.tar.zst");
  });
});
