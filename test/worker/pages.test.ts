// The site's plain pages: home, install, verification, pack detail, escaping of catalog text, and
// the HTML 404/400 pages. Seeded with the catalog fixture.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_PACKS, seedCatalog, type FixturePack, plainVersion } from "./support/catalog-fixture";
import { getPage, htmlDocument, htmlPage } from "./pages-support";
import { attrs, parseHtml, textOf } from "./support/dom";

const HOSTILE: FixturePack = {
  name: "evil-addon",
  displayName: '<script>alert("name")</script>',
  layer: "addon",
  addonType: "<b>bold</b>",
  description: '"><img src=x onerror=alert(1)> & more',
  versions: [plainVersion()],
};

beforeAll(async () => {
  await seedCatalog([...FIXTURE_PACKS, HOSTILE]);
});

describe("home", () => {
  it("shows the four areas with no-JS forms and links", async () => {
    const doc = await htmlDocument("/");
    const installForm = (product: string) => doc.querySelector(`form[action="/install/${product}"]`);
    for (const product of ["palette-enterprise", "palette-vertex"]) {
      const form = installForm(product);
      expect(form?.getAttribute("method")).toBe("get");
      expect(form?.querySelector("select[name=version]")?.id).not.toBe("");
      expect(textOf(form!, "button[type=submit]")).toBe("Show Artifacts");
    }
    const headings = Array.from(doc.querySelectorAll("h2"), (h) => h.textContent);
    expect(headings).toContain("Install Palette Enterprise");
    expect(headings).toContain("Install Palette VerteX");
    expect(headings).toContain("Create pack bundle");
    // Versions newest first, from the catalog.
    expect(attrs(installForm("palette-enterprise")!, "option", "value")).toEqual(["4.7.3", "4.6.12", "4.5.23"]);
    expect(doc.querySelector('main a[href="/bundle/product"]')).not.toBeNull();
    expect(doc.querySelector('main a[href="/packs"]')).not.toBeNull();
  });

  it("answers a repeat visit with 304 from the catalog ETag", async () => {
    const { res } = await getPage("/");
    const etag = res.headers.get("ETag");
    expect(etag).toMatch(/^W\/"catalog-\d+-[0-9a-f]{8}"$/);
    const again = await getPage("/", { headers: { "If-None-Match": etag! } });
    expect(again.res.status).toBe(304);
  });
});

describe("install pages", () => {
  it("lists the chosen version's installers with sizes, checksums and one download form", async () => {
    const body = await htmlPage("/install/palette-enterprise?version=4.6.12");
    const doc = parseHtml(body);
    expect(body).toContain("Palette Enterprise 4.6.12 artifacts");
    for (const [kind, file, label] of [
      ["content-bundle", "palette-enterprise-4.6.12.tar.zst", "Content bundle"],
      ["iso", "palette-enterprise-appliance-4.6.12.iso", "ISO"],
      ["helm-chart", "palette-enterprise-helm-4.6.12.tgz", "Helm installation"],
    ]) {
      expect(body).toContain(file);
      expect(body).toContain(label);
      const button = doc.querySelector(`button[aria-label="Download ${file}"]`);
      const form = button?.closest("form");
      expect(form?.getAttribute("method")).toBe("post");
      expect(form?.getAttribute("action")).toBe("/install/palette-enterprise?version=4.6.12");
      expect(button?.getAttribute("value")).toBe("file");
      expect(button?.getAttribute("data-kind")).toBe(kind);
      expect(button?.getAttribute("data-download-action")).toBe("true");
      expect(button?.getAttribute("class")).toBe("small");
    }
    expect(body).toContain("palette-enterprise-4.6.12.tar.sig.bin");
    expect(body).toContain("palette-enterprise-appliance-4.6.12.iso.sig.bin");
    expect(body).toContain("Used for traditional application install.");
    const sha = doc.querySelector('code[title="SHA-256 of palette-enterprise-4.6.12.tar.zst"]');
    expect(sha?.getAttribute("class")).toBe("break");
    expect(sha?.textContent).toMatch(/^[0-9a-f]{64}$/);
    expect(body).toContain("977\u00a0KB"); // 1,000,033 bytes, as `ls -lh` puts it
    // The version picker keeps the chosen version selected.
    expect(attrs(doc, "option[selected]", "value")).toEqual(["4.6.12"]);
  });

  it("shows the picker alone until a version is chosen, and VerteX's own ISO wording", async () => {
    const bare = await htmlPage("/install/palette-vertex");
    expect(bare).toContain("Show Artifacts");
    expect(bare).not.toContain("artifacts</h2>");
    const vertex = await htmlPage("/install/palette-vertex?version=4.7.3");
    expect(vertex).toContain("Used for installation from ISO device in a virtual machine, edge device, or bare-metal.");
  });

  it("gives HTML 404 pages for an unknown product or version and a 400 naming the field", async () => {
    const product = await getPage("/install/palette-nothing?version=4.6.12");
    expect(product.res.status).toBe(404);
    expect(product.res.headers.get("Content-Type")).toContain("text/html");
    expect(product.body).toContain("product palette-nothing not found");
    expect(product.body).toContain('href="/"');
    const version = await getPage("/install/palette-enterprise?version=9.9.9");
    expect(version.res.status).toBe(404);
    expect(version.body).toContain("Palette Enterprise version 9.9.9 not found");
    const bad = await getPage("/install/palette-enterprise?version=latest%20please");
    expect(bad.res.status).toBe(400);
    expect(textOf(parseHtml(bad.body), "main li strong")).toBe("version");
  });
});

describe("verification", () => {
  it("gives the key, a command per kind with real file names, and the expected output", async () => {
    const body = await htmlPage("/verify");
    expect(body).toContain('href="/spectro_public_key.pem"');
    expect(body).toContain('href="/verify-signatures.sh"');
    expect(body).toContain(
      "openssl dgst -sha256 -verify spectro_public_key.pem -signature palette-enterprise-4.7.3.tar.sig.bin palette-enterprise-4.7.3.tar.zst",
    );
    expect(body).toContain(
      "openssl dgst -sha256 -verify spectro_public_key.pem -signature palette-enterprise-appliance-4.7.3.iso.sig.bin palette-enterprise-appliance-4.7.3.iso",
    );
    expect(body).toMatch(/-signature [a-z0-9-]+-[0-9.]+\.sig\.bin [a-z0-9-]+-[0-9.]+\.zst/);
    expect(body).toContain("Verified OK");
  });

  it("links the guides the docs name: Artifact Signatures, Upload Packs, the Palette CLI and the appliance installs", async () => {
    const links = attrs(await htmlDocument("/verify"), "a", "href");
    for (const path of [
      "security/artifact-signatures/",
      "self-hosted-setup/palette/management-appliance/upload-packs/",
      "self-hosted-setup/vertex/management-appliance/upload-packs/",
      "automation/palette-cli/commands/content/",
      "self-hosted-setup/palette/management-appliance/install/",
      "self-hosted-setup/vertex/management-appliance/install/",
    ])
      expect(links).toContain(`https://docs.spectrocloud.com/${path}`);
  });

  it("serves the folder script as a download", async () => {
    const res = await exports.default.fetch("http://studio.test/verify-signatures.sh");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/x-shellscript");
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="verify-signatures.sh"');
    const script = await res.text();
    // POSIX sh, so `sh verify-signatures.sh` (dash) runs it as well as bash does: no [[ ]].
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).not.toContain("[[");
    expect(script).toContain('openssl dgst -sha256 -verify "$PUBKEY" -signature "$sigfile" "$datafile"');
    expect(script).toContain("✅ Signature valid");
  });
});

describe("pack detail", () => {
  it("shows versions, architectures, FIPS, clouds, linked dependencies, files and checksums", async () => {
    const body = await htmlPage("/packs/cni-calico?version=3.29.2");
    const doc = parseHtml(body);
    expect(body).toContain("Calico 3.29.2");
    expect(body).toContain("cni-calico-3.29.2.zst");
    expect(body).toContain("cni-calico-3.29.2.sig.bin");
    expect(body).toContain("cni-calico-3.26.0.zst");
    expect(body).toContain("FIPS-compliant");
    expect(body).toContain("AMD64, ARM64");
    const dependency = doc.querySelector('#deps-title ~ ul a[href="/packs/kubernetes"]');
    expect(dependency?.textContent).toBe("kubernetes");
    expect(dependency?.closest("li")?.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Requires kubernetes >= 1.29 (Kubernetes layer)",
    );
    expect(textOf(doc, '#versions-title ~ div tbody span[aria-current="page"]')).toBe("3.29.2");
    expect(doc.querySelector('a[href="/packs/cni-calico?version=3.26.0"]')).not.toBeNull();
    // Download leads straight to the Browse selection bar (captcha, Download Bundle, Copy all URLs).
    const download = doc.querySelector('a[href="/packs?selected=cni-calico@3.29.2#download"]');
    expect(download?.getAttribute("class")).toBe("button");
    expect(download?.textContent).toBe("Download");
  });

  it("never offers a yanked version: its link is a 410 saying when and why, an unknown one a 404", async () => {
    const body = await htmlPage("/packs/kubernetes");
    expect(body).not.toContain("kubernetes-1.28.0.zst");
    expect(body).toContain("Palette eXtended Kubernetes 1.32.3");
    expect(body).toContain('data-yanked-version="1.28.0"');
    const gone = await getPage("/packs/kubernetes?version=1.28.0");
    expect(gone.res.status).toBe(410);
    expect(gone.body).toContain("1.28.0 was yanked");
    expect(gone.body).not.toContain("kubernetes-1.28.0.zst");
    expect((await getPage("/packs/kubernetes?version=9.9.9")).res.status).toBe(404);
    expect((await getPage("/packs/retired-logger")).res.status).toBe(410);
    expect((await getPage("/packs/never-published")).res.status).toBe(404);
  });

  it("gives a 400 page naming the field for a malformed pack name", async () => {
    const { res, body } = await getPage("/packs/NOT_A_PACK");
    expect(res.status).toBe(400);
    expect(textOf(parseHtml(body), "main li strong")).toBe("name");
  });
});

describe("escaping", () => {
  it("renders hostile catalog text as text on every page that shows it", async () => {
    for (const path of [
      "/packs",
      "/packs/evil-addon",
      "/packs?q=alert",
      "/bundle/layers/addon?product=palette-enterprise&version=4.6.12&useCase=addon",
    ]) {
      const body = await htmlPage(path);
      expect(body, path).toContain("&lt;script>alert(&quot;name&quot;)&lt;/script>");
      expect(body, path).not.toContain("<script>alert");
      expect(body, path).not.toContain("<img src=x");
      expect(body, path).not.toContain("<b>bold</b>");
    }
  });
});

describe("not found and errors", () => {
  it("gives browsers an HTML 404 that says where to go, and API clients the JSON shape", async () => {
    const page = await getPage("/no/such/page");
    expect(page.res.status).toBe(404);
    expect(page.res.headers.get("Content-Type")).toContain("text/html");
    expect(page.body).toContain("There is no page at /no/such/page.");
    expect(page.res.headers.get("X-Request-Id")).toMatch(/\S/);
    expect((await getPage("/packs")).res.headers.get("X-Request-Id")).toMatch(/\S/);
    expect(page.body).toContain('href="/packs"');
    const api = await exports.default.fetch("http://studio.test/api/v1/nothing", { headers: { Accept: "text/html" } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("gives HEAD the HTML 404 too, but a POST to nowhere the JSON shape naming the route", async () => {
    const head = await getPage("/no/such/page", { method: "HEAD" });
    expect(head.res.status).toBe(404);
    expect(head.res.headers.get("Content-Type")).toContain("text/html");
    const post = await getPage("/no/such/page", { method: "POST" });
    expect(post.res.status).toBe(404);
    expect(JSON.parse(post.body)).toEqual({ error: { code: "not_found", message: "no route for POST /no/such/page" } });
  });

  it("keeps a page route's own 404 (an unknown pack) rather than the no-page answer", async () => {
    const { res, body } = await getPage("/packs/no-such-pack");
    expect(res.status).toBe(404);
    expect(body).not.toContain("There is no page at");
    expect(body).toContain("no-such-pack");
  });
});
