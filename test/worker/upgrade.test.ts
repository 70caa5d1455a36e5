// Upgrade plans over a catalog seeded through the real sync: a Palette Enterprise 4.6.12 site on
// Kubernetes 1.30 and Calico moving to 4.7.3 (kept, upgraded, removed, each reason), a site that is
// already up to date, the grant of only the new files, API validation, the OpenAPI entry, and the
// upgrade page from a pasted link (and an imported spec) to the plan.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { PackVersionSummary } from "../../worker/catalog/compatibility";
import { planPacks } from "../../worker/catalog/upgrade-plan";
import { getPage, htmlPage, redirectOf } from "./pages-support";
import { attrs, hiddenFields, parseHtml, textOf } from "./support/dom";
import { dropRelease, PALETTE_ENTERPRISE, type PackSpec } from "./support/releases";
import { syncAndSettle } from "./support/sync";
import { studio } from "./support/studio";

const postJson = (path: string, body: unknown) =>
  studio(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const plan = (body: unknown) => postJson("/api/v1/upgrade-plans", body);

const controller: PackSpec["useCases"] = ["controller"];
const until4612 = [{ product: "palette-enterprise", maxVersion: "4.6.12" }];

beforeAll(async () => {
  await dropRelease(env, "upgrade-catalog", {
    products: [PALETTE_ENTERPRISE],
    installers: [
      { product: "palette-enterprise", productVersion: "4.6.12", kind: "content-bundle" },
      { product: "palette-enterprise", productVersion: "4.7.3", kind: "content-bundle" },
      { product: "palette-enterprise", productVersion: "4.7.3", kind: "iso" },
      { product: "palette-enterprise", productVersion: "4.7.3", kind: "helm-chart" },
    ],
    packs: [
      { name: "ubuntu-aws", version: "22.04", layer: "os", cloudTypes: ["aws"], useCases: controller },
      { name: "kubernetes", version: "1.30.6", layer: "k8s", useCases: controller },
      { name: "kubernetes", version: "1.31.2", layer: "k8s", useCases: controller },
      // Calico 3.27 ends with 4.6.12 and its life; 3.30 needs a Kubernetes the site does not run.
      {
        name: "cni-calico",
        version: "3.27.4",
        layer: "cni",
        useCases: controller,
        eol: "2025-06-30",
        products: until4612,
      },
      {
        name: "cni-calico",
        version: "3.29.1",
        layer: "cni",
        useCases: controller,
        products: [{ product: "palette-enterprise", minVersion: "4.6.0" }],
        dependencies: [{ packName: "kubernetes", layer: "k8s", minVersion: "1.29.0", type: "optional" }],
      },
      {
        name: "cni-calico",
        version: "3.30.0",
        layer: "cni",
        useCases: controller,
        dependencies: [{ packName: "kubernetes", layer: "k8s", minVersion: "1.31", type: "required" }],
      },
      { name: "csi-aws-ebs", version: "1.36.0", layer: "csi", cloudTypes: ["aws"], useCases: controller },
      { name: "istio", version: "1.22.5", useCases: controller, products: until4612 },
      {
        name: "istio",
        version: "1.26.0",
        useCases: controller,
        dependencies: [{ packName: "kubernetes", layer: "k8s", minVersion: "1.33", type: "required" }],
      },
      { name: "elastic-fluentd-kibana", version: "8.5.1", useCases: controller, eol: "2025-09-30" },
      { name: "prometheus-operator", version: "57.0.3", useCases: controller },
      { name: "prometheus-operator", version: "65.2.0", useCases: controller },
    ],
  });
  await syncAndSettle(env);
  const yank = await studio("/api/v1/admin/packs/prometheus-operator/versions/57.0.3/yank", {
    method: "POST",
    headers: { Authorization: "Bearer test-admin-token-0123456789abcdef", "Content-Type": "application/json" },
    body: JSON.stringify({ reason: "CVE-2026-0001" }),
  });
  expect(yank.status).toBe(200);
});

const SITE = {
  product: "palette-enterprise",
  version: "4.6.12",
  useCase: "controller",
  cloud: "aws",
  packs: [
    { name: "ubuntu-aws", version: "22.04" },
    { name: "kubernetes", version: "1.30.6" },
    { name: "cni-calico", version: "3.27.4" },
    { name: "csi-aws-ebs", version: "1.36.0" },
    { name: "istio", version: "1.22.5" },
    { name: "elastic-fluentd-kibana", version: "8.5.1" },
    { name: "prometheus-operator", version: "57.0.3" },
  ],
};

type Plan = {
  kept: { name: string; version: string }[];
  upgraded: { name: string; from: string; to: string; reasons: string[]; why: string; skipped: unknown[] }[];
  removed: { name: string; version: string; reasons: string[] }[];
  installers: { kind: string; file: string; onSite: boolean }[];
  download: { selection: Record<string, unknown> | null; fileCount: number; totalBytes: number };
  result: { version: string; packs: { name: string; version: string }[] };
  links: Record<string, string | null>;
};
type ErrorBody = { error: { code: string; message: string; details?: { field: string; message: string }[] } };

describe("POST /api/v1/upgrade-plans", () => {
  it("plans Palette Enterprise 4.6.12 with Kubernetes 1.30 and Calico to 4.7.3: kept, upgraded, removed, each with why", async () => {
    const res = await plan({ current: SITE, targetVersion: "4.7.3" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Plan;
    expect(body.kept.map((k) => `${k.name}@${k.version}`)).toEqual([
      "ubuntu-aws@22.04",
      "kubernetes@1.30.6",
      "csi-aws-ebs@1.36.0",
    ]);
    expect(body.upgraded).toEqual([
      expect.objectContaining({
        name: "cni-calico",
        from: "3.27.4",
        to: "3.29.1",
        reasons: ["not published for Palette Enterprise 4.7.3", "end of life 2025-06-30"],
        skipped: [{ version: "3.30.0", reasons: ["requires kubernetes >= 1.31"] }],
        why: "the newest version that fits Palette Enterprise 4.7.3 and the packs before it; 3.30.0 is newer but requires kubernetes >= 1.31",
      }),
      expect.objectContaining({
        name: "prometheus-operator",
        from: "57.0.3",
        to: "65.2.0",
        reasons: ["yanked: CVE-2026-0001"],
        skipped: [],
      }),
    ]);
    expect(body.removed).toEqual([
      expect.objectContaining({
        name: "istio",
        version: "1.22.5",
        reasons: ["not published for Palette Enterprise 4.7.3", "1.26.0: requires kubernetes >= 1.33"],
      }),
      expect.objectContaining({
        name: "elastic-fluentd-kibana",
        version: "8.5.1",
        reasons: ["end of life 2025-09-30"],
      }),
    ]);
    expect(body.installers.map((i) => [i.kind, i.onSite])).toEqual([
      ["content-bundle", false],
      ["iso", false],
      ["helm-chart", false],
    ]);
    // The result is the next upgrade's start: kept and upgraded packs in the bundle's order.
    expect(body.result).toMatchObject({
      kind: "artifact-studio/bundle",
      product: "palette-enterprise",
      version: "4.7.3",
      useCase: "controller",
      cloud: "aws",
      packs: [
        { name: "ubuntu-aws", version: "22.04" },
        { name: "kubernetes", version: "1.30.6" },
        { name: "cni-calico", version: "3.29.1" },
        { name: "csi-aws-ebs", version: "1.36.0" },
        { name: "prometheus-operator", version: "65.2.0" },
      ],
    });
    expect(body.links.bundle).toBe(
      "http://studio.test/bundle/confirm?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.29.1,csi-aws-ebs@1.36.0,prometheus-operator@65.2.0",
    );
    // The plan page carries the download form for exactly these files.
    expect(body.links.download).toBe(`${body.links.page}#download`);
  });

  it("downloads only the files the site does not have, through an ordinary grant", async () => {
    const body = (await (await plan({ current: SITE, targetVersion: "4.7.3" })).json()) as Plan;
    expect(body.download.selection).toEqual({
      installers: { product: "palette-enterprise", version: "4.7.3" },
      packs: [
        { name: "cni-calico", version: "3.29.1" },
        { name: "prometheus-operator", version: "65.2.0" },
      ],
    });
    const grant = await postJson("/api/v1/grants", body.download.selection);
    expect(grant.status).toBe(201);
    const issued = (await grant.json()) as {
      files: { file: string; size: number; sigSize: number }[];
      totalBytes: number;
    };
    expect(issued.files.map((f) => f.file)).toEqual([
      "palette-enterprise-4.7.3.tar.zst",
      "palette-enterprise-appliance-4.7.3.iso",
      "palette-enterprise-4.7.3-chart.tgz",
      "cni-calico-3.29.1.zst",
      "prometheus-operator-65.2.0.zst",
    ]);
    expect(body.download.fileCount).toBe(5);
    expect(body.download.totalBytes).toBe(issued.files.reduce((n, f) => n + f.size + f.sigSize, 0));
  });

  it("has nothing to download for a site that is already up to date, and plans its own result unchanged", async () => {
    const first = (await (await plan({ current: SITE, targetVersion: "4.7.3" })).json()) as Plan;
    const again = await plan({ current: first.result, targetVersion: "4.7.3" });
    expect(again.status).toBe(200);
    const body = (await again.json()) as Plan;
    expect(body.kept.map((k) => `${k.name}@${k.version}`)).toEqual(
      first.result.packs.map((p) => `${p.name}@${p.version}`),
    );
    expect(body.upgraded).toEqual([]);
    expect(body.removed).toEqual([]);
    expect(body.installers.every((i) => i.onSite)).toBe(true);
    expect(body.download).toEqual({ selection: null, fileCount: 0, totalBytes: 0 });
    expect(body.links.download).toBeNull();
    expect(body.result.packs).toEqual(first.result.packs);
  });

  it("names the field at fault: bad input 400, unknown versions 404, a downgrade 400", async () => {
    const expectField = async (res: Response, status: number, field: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.details?.map((d) => d.field)).toContain(field);
      expect(body.error.message.startsWith(`${field}: `)).toBe(true);
    };
    await expectField(
      await plan({ current: { ...SITE, useCase: "everything" }, targetVersion: "4.7.3" }),
      400,
      "current.useCase",
    );
    await expectField(await plan({ current: SITE }), 400, "targetVersion");
    await expectField(await plan({ current: SITE, targetVersion: "latest" }), 400, "targetVersion");
    await expectField(
      await plan({ current: { ...SITE, packs: [{ name: "Bad Name", version: "1" }] }, targetVersion: "4.7.3" }),
      400,
      "current.packs.0.name",
    );
    await expectField(
      await plan({ current: SITE, targetVersion: "4.7.3", installerKinds: ["dvd"] }),
      400,
      "installerKinds.0",
    );
    await expectField(await plan({ current: SITE, targetVersion: "4.9.0" }), 404, "targetVersion");
    await expectField(
      await plan({ current: { ...SITE, version: "4.0.0" }, targetVersion: "4.7.3" }),
      404,
      "current.version",
    );
    await expectField(
      await plan({ current: { ...SITE, product: "nope" }, targetVersion: "4.7.3" }),
      404,
      "current.product",
    );
    await expectField(
      await plan({ current: { ...SITE, version: "4.7.3" }, targetVersion: "4.6.12" }),
      400,
      "targetVersion",
    );
    const notJson = await studio("/api/v1/upgrade-plans", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
  });

  it("is in the OpenAPI document with its request and response schemas", async () => {
    const doc = (await (await studio("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const op = doc.paths["/api/v1/upgrade-plans"]?.post;
    expect(op?.requestBody).toBeDefined();
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(["200", "400", "404"]));
    expect(Object.keys(doc.components.schemas.UpgradePlan.properties ?? {})).toEqual(
      expect.arrayContaining(["kept", "upgraded", "removed", "installers", "download", "result", "links"]),
    );
  });
});

const PERMALINK =
  "http://elsewhere.example/bundle/confirm?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4,istio@1.22.5";

describe("the upgrade page", () => {
  it("offers the three ways to say what a site runs, and is linked from home and the wizard's Confirm step", async () => {
    const body = await htmlPage("/upgrade");
    expect(body).toContain('<label for="link">Bundle link</label>');
    expect(body).toContain('action="/bundle/import"');
    expect(body).toContain('<label for="site-packs">');
    expect(await htmlPage("/")).toContain('href="/upgrade"');
    const confirm = await htmlPage(
      "/bundle/confirm?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=kubernetes@1.30.6",
    );
    expect(confirm).toContain(
      'href="/upgrade?product=palette-enterprise&amp;version=4.6.12&amp;useCase=controller&amp;cloud=aws&amp;packs=kubernetes@1.30.6">Plan an upgrade</a>',
    );
  });

  it("turns a pasted bundle link into the site, then the target into the plan with Download upgrade", async () => {
    const site = await redirectOf(`/upgrade?link=${encodeURIComponent(PERMALINK)}`);
    expect(site).toBe(
      "/upgrade?product=palette-enterprise&version=4.6.12&useCase=controller&cloud=aws&packs=ubuntu-aws@22.04,kubernetes@1.30.6,cni-calico@3.27.4,istio@1.22.5#target",
    );
    const sitePage = parseHtml(await htmlPage(site.replace(/#target$/, "")));
    const targetForm = sitePage.querySelector('[name="target"]')?.closest("form");
    expect(hiddenFields(targetForm!)).toMatchObject({ product: "palette-enterprise", version: "4.6.12" });
    expect(attrs(targetForm!, "option[selected]", "value")).toEqual(["4.7.3"]);

    const planned = await htmlPage(`${site.replace(/#target$/, "")}&target=4.7.3`);
    expect(planned).toContain("Upgrade plan: Palette Enterprise 4.6.12 → 4.7.3");
    const plan = parseHtml(planned);
    expect(textOf(plan, "h3#upgraded-title")).toBe("Upgraded (1)");
    expect(textOf(plan, "h3#removed-title")).toBe("Removed (1)");
    expect(textOf(plan, "h3#kept-title")).toBe("Kept (2)");
    expect(planned).toContain("end of life 2025-06-30");
    expect(planned).toContain("1.26.0: requires kubernetes >= 1.33");
    // The plan carries its own download form, posting back to the plan's URL.
    const form = plan.querySelector('button[name="action"][value="download"]')?.closest("form");
    expect(form?.getAttribute("method")).toBe("post");
    const action = form?.getAttribute("action") ?? "";
    expect(action).toBe(`${site.replace(/#target$/, "")}&target=4.7.3`);
    expect(form?.textContent).toContain("4 files");
    // Posting it issues a grant of exactly those files: three installers and the one new pack.
    const res = await exports.default.fetch(
      new Request(`http://studio.test${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.77" },
        body: "action=download",
      }),
    );
    expect(res.status).toBe(200);
    const body = await res.text();
    const files = attrs(parseHtml(body), "a[data-file]", "download");
    expect(files.filter((f) => !f.endsWith(".sig.bin"))).toEqual([
      "palette-enterprise-4.7.3.tar.zst",
      "palette-enterprise-appliance-4.7.3.iso",
      "palette-enterprise-4.7.3-chart.tgz",
      "cni-calico-3.29.1.zst",
    ]);
    expect(files).not.toContain("kubernetes-1.30.6.zst"); // kept: the site has it
  });

  it("says when there is nothing to download", async () => {
    const body = await htmlPage(
      "/upgrade?product=palette-enterprise&version=4.7.3&useCase=controller&cloud=aws&packs=kubernetes@1.30.6,cni-calico@3.29.1&target=4.7.3",
    );
    expect(body).toContain("Nothing to download: the site already has every file of this plan.");
    expect(body).not.toContain(">Download Bundle</button>");
  });

  it("re-renders the form with the field named for bad input", async () => {
    const badPacks = await getPage(
      "/upgrade?product=palette-enterprise&version=4.6.12&useCase=controller&packs=kubernetes",
    );
    expect(badPacks.res.status).toBe(400);
    expect(badPacks.body).toContain("packs: &quot;kubernetes&quot; is not name@version");
    expect(badPacks.body).toContain('<label for="site-packs">');
    const notALink = await getPage(`/upgrade?link=${encodeURIComponent("http://studio.test/packs")}`);
    expect(notALink.res.status).toBe(400);
    expect(notALink.body).toContain("link: names no product, version and use case");
    const older = await getPage(`/upgrade?product=palette-enterprise&version=4.7.3&useCase=controller&target=4.6.12`);
    expect(older.res.status).toBe(400);
    expect(older.body).toContain("target: 4.6.12 is older than the site's 4.7.3");
  });

  it("imports a bundle spec file for the site", async () => {
    const form = new FormData();
    form.set("then", "upgrade");
    form.set("spec", new File([JSON.stringify(SITE)], "bundle.json", { type: "application/json" }));
    const target = await redirectOf("/bundle/import", { method: "POST", body: form });
    expect(target).toMatch(
      /^\/upgrade\?product=palette-enterprise&version=4\.6\.12&useCase=controller&cloud=aws&packs=ubuntu-aws@22\.04,/,
    );
  });
});

describe("planPacks (pure)", () => {
  const version = (name: string, layer: "k8s" | "cni", v: string, extra: Partial<PackVersionSummary> = {}) =>
    ({
      name,
      displayName: name,
      layer,
      addonType: null,
      description: "",
      source: "spectrocloud",
      version: v,
      kernel: null,
      eol: null,
      fips: false,
      arches: ["amd64"],
      clouds: ["all"],
      useCases: ["controller"],
      products: [{ product: "palette-enterprise", minVersion: null, maxVersion: null }],
      dependencies: [],
      fileName: `${name}-${v}.zst`,
      size: 1,
      sha256: "",
      signatureFileName: "",
      signatureSize: 1,
      keyId: "k",
      publishedAt: "",
      ...extra,
    }) as PackVersionSummary;
  const input = (current: { name: string; version: string }[], versions: PackVersionSummary[]) => ({
    current,
    packs: new Map(versions.map((v) => [v.name, { name: v.name, displayName: v.displayName, layer: v.layer }])),
    versions: new Map([...new Set(versions.map((v) => v.name))].map((n) => [n, versions.filter((v) => v.name === n)])),
    recorded: new Map(versions.map((v) => [`${v.name}@${v.version}`, { yanked: false, yankReason: null }])),
    context: {
      product: { id: "palette-enterprise", name: "Palette Enterprise" },
      productVersion: "4.7.3",
      useCase: "controller" as const,
      fips: false,
    },
    today: "2026-01-01",
  });

  it("never moves a version backwards: an end-of-life version with only older ones is removed", () => {
    const plan = planPacks(
      input(
        [{ name: "kubernetes", version: "1.29.10" }],
        [version("kubernetes", "k8s", "1.29.10", { eol: "2025-06-30" }), version("kubernetes", "k8s", "1.28.14")],
      ),
    );
    expect(plan.removed).toEqual([
      {
        name: "kubernetes",
        displayName: "kubernetes",
        layer: "k8s",
        version: "1.29.10",
        reasons: ["end of life 2025-06-30"],
      },
    ]);
  });

  it("settles earlier layers first: a network pack is judged against the Kubernetes the plan keeps", () => {
    const plan = planPacks(
      input(
        [
          { name: "cni-cilium", version: "1.15.0" },
          { name: "kubernetes", version: "1.30.6" },
        ],
        [
          version("kubernetes", "k8s", "1.30.6"),
          version("cni-cilium", "cni", "1.17.0", {
            dependencies: [
              { packName: "kubernetes", layer: "k8s", type: "required", minVersion: "1.31", maxVersion: null },
            ],
          }),
          version("cni-cilium", "cni", "1.15.0", { eol: "2025-01-31" }),
        ],
      ),
    );
    expect(plan.kept.map((k) => k.name)).toEqual(["kubernetes"]);
    expect(plan.removed).toEqual([
      expect.objectContaining({
        name: "cni-cilium",
        reasons: ["end of life 2025-01-31", "1.17.0: requires kubernetes >= 1.31"],
      }),
    ]);
  });

  it("removes a pack the catalog has never heard of, saying so", () => {
    const plan = planPacks(input([{ name: "mystery", version: "1.0.0" }], []));
    expect(plan.removed).toEqual([
      {
        name: "mystery",
        displayName: "mystery",
        layer: null,
        version: "1.0.0",
        reasons: ["there is no pack mystery in the catalog"],
      },
    ]);
  });
});
