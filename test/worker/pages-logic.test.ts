// Unit tests of the pages' pure logic: sizes, the wizard's step order and gates, applying a
// form's picks to a selection, the browse page's cursor trail, and the add-on search.
import { describe, expect, it } from "vitest";
import { resolveSubmission } from "../../web/lib/browse";
import { humanSize, queryString } from "../../web/lib/format";
import {
  adjacentStep,
  applyPicks,
  firstMissingStep,
  parseRefList,
  reachable,
  stateQuery,
  stepsFor,
} from "../../web/lib/wizard";
import type { WizardState } from "../../worker/catalog/types";
import { groupPacks, hiddenGroups, matchesSearch } from "../../web/pages/bundle/layer";

const ref = (text: string) => parseRefList(text)[0];

describe("humanSize", () => {
  it("reads like ls -lh", () => {
    expect(humanSize(0)).toBe("0\u00a0B");
    expect(humanSize(1023)).toBe("1023\u00a0B");
    expect(humanSize(1536)).toBe("1.5\u00a0KB");
    expect(humanSize(10 * 1024 * 1024 + 300 * 1024)).toBe("10.3\u00a0MB");
    expect(humanSize(5 * 1024 ** 3)).toBe("5\u00a0GB");
    expect(humanSize(1_000_033)).toBe("977\u00a0KB");
  });
});

describe("queryString", () => {
  it("keeps @ and , readable and drops empty values", () => {
    expect(queryString({ a: "x@1,y@2", b: undefined, c: "", d: 3 })).toBe("?a=x@1,y@2&d=3");
    expect(queryString({})).toBe("");
  });
});

describe("wizard steps", () => {
  const ids = (useCase?: "controller" | "agent" | "addon") => stepsFor(useCase).map((s) => s.id);

  it("follows the docs for each use case", () => {
    expect(ids("controller")).toEqual([
      "product",
      "version",
      "use-case",
      "cloud",
      "os",
      "k8s",
      "cni",
      "csi",
      "addon",
      "review",
      "confirm",
    ]);
    expect(ids("agent")).toEqual([
      "product",
      "version",
      "use-case",
      "os",
      "k8s",
      "cni",
      "csi",
      "addon",
      "review",
      "confirm",
    ]);
    expect(ids("addon")).toEqual(["product", "version", "use-case", "addon", "confirm"]);
  });

  it("gates every step on the inputs before it", () => {
    const state: WizardState = { product: "palette-enterprise", version: "4.6.12", useCase: "controller", packs: [] };
    expect(firstMissingStep(state)).toBe("cloud");
    expect(reachable("cloud", state)).toBe(true);
    expect(reachable("os", state)).toBe(false);
    expect(reachable("os", { ...state, cloud: "aws" })).toBe(true);
    expect(firstMissingStep({ ...state, useCase: "agent" })).toBeUndefined();
    expect(reachable("version", { packs: [] })).toBe(false);
  });

  it("moves between steps of the state's use case", () => {
    const agent: WizardState = { product: "p", version: "1", useCase: "agent", packs: [] };
    expect(adjacentStep("use-case", agent, 1)).toBe("os");
    expect(adjacentStep("use-case", { ...agent, useCase: "addon" }, 1)).toBe("addon");
    expect(adjacentStep("addon", { ...agent, useCase: "addon" }, 1)).toBe("confirm");
    expect(adjacentStep("addon", agent, 1)).toBe("review");
    expect(adjacentStep("os", { ...agent, useCase: "controller" }, -1)).toBe("cloud");
  });

  it("writes cloud only for controller mode", () => {
    const state: WizardState = {
      product: "p",
      version: "1",
      useCase: "agent",
      cloud: "aws",
      fips: true,
      packs: [ref("a@1"), ref("b@2")],
    };
    expect(stateQuery(state)).toBe("?product=p&version=1&useCase=agent&fips=true&packs=a@1,b@2");
    expect(stateQuery({ ...state, useCase: "controller" })).toBe(
      "?product=p&version=1&useCase=controller&cloud=aws&fips=true&packs=a@1,b@2",
    );
  });
});

describe("applyPicks", () => {
  const refs = (text: string) => parseRefList(text);
  const text = (list: { name: string; version: string }[]) => list.map((r) => `${r.name}@${r.version}`).join(",");

  it("replaces what the form showed with what was picked, keeping everything else in order", () => {
    expect(text(applyPicks(refs("os@1,k8s@1,addon@1"), refs("os@1,os@2"), refs("os@2")))).toBe("k8s@1,addon@1,os@2");
    expect(text(applyPicks(refs("a@1,b@1"), refs("a@1,c@1"), refs("a@1,c@1")))).toBe("a@1,b@1,c@1");
    expect(text(applyPicks(refs("a@1,b@1"), refs("a@1"), []))).toBe("b@1");
    expect(text(applyPicks([], [], refs("x@1,x@1")))).toBe("x@1");
  });

  it("ignores text that is not name@version", () => {
    expect(parseRefList("a@1,,bad, B@2 ,c@1.0-rc1")).toEqual([ref("a@1"), ref("c@1.0-rc1")]);
  });
});

describe("browse submissions", () => {
  const base = { selected: [], shown: [], pick: [], trail: [] as string[] };
  it("pushes and pops the cursor trail", () => {
    const filters = { cursor: "c2", trail: ["c1"] };
    expect(resolveSubmission(filters, { ...base, go: "next", next: "c3" }, [])).toMatchObject({
      cursor: "c3",
      trail: ["c1", "c2"],
    });
    expect(resolveSubmission(filters, { ...base, go: "prev" }, [])).toMatchObject({ cursor: "c1", trail: [] });
    expect(resolveSubmission({ cursor: "c1", trail: [] }, { ...base, go: "prev" }, [])).toMatchObject({
      cursor: undefined,
      trail: [],
    });
    expect(resolveSubmission(filters, { ...base, go: "filter" }, [])).toMatchObject({ cursor: undefined, trail: [] });
  });

  it("is a plain visit when nothing was submitted", () => {
    expect(resolveSubmission({ trail: [] }, base, [])).toBeUndefined();
  });
});

describe("add-on search", () => {
  const pack = {
    name: "prometheus-operator",
    displayName: "Prometheus Operator",
    description: "Metrics and alerting",
    addonType: "monitoring",
  };
  it("needs every word to begin a word of the pack's text, as the packs search does", () => {
    expect(matchesSearch(pack, "prom alert")).toBe(true);
    expect(matchesSearch(pack, "MONITORING")).toBe(true);
    expect(matchesSearch(pack, "prometheus-oper")).toBe(true);
    expect(matchesSearch(pack, "prom logging")).toBe(false);
    expect(matchesSearch(pack, "etheus")).toBe(false);
    expect(matchesSearch(pack, undefined)).toBe(true);
    expect(matchesSearch({ ...pack, layer: "cni" }, "network")).toBe(true);
  });

  it("groups versions by pack in catalog order", () => {
    const v = (name: string, version: string) =>
      ({
        name,
        version,
        displayName: name,
        description: "",
        addonType: null,
        source: "spectrocloud",
      }) as unknown as Parameters<typeof groupPacks>[0][number];
    expect(groupPacks([v("a", "2"), v("a", "1"), v("b", "1")]).map((g) => [g.name, g.versions.length])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });
});

describe("hidden versions on their page", () => {
  it("fold a pack's versions in a row hidden for the same reasons into one entry, keeping the order", () => {
    const v = (name: string, version: string, reasons: string[]) => ({
      name,
      displayName: name.toUpperCase(),
      version,
      layer: "os" as const,
      reasons,
    });
    const aws = ["not published for aws"];
    const both = ["not published for aws", "no arm64 build"];
    expect(
      hiddenGroups([v("a", "3", aws), v("a", "2", aws), v("a", "1", both), v("b", "2", aws), v("a", "0", aws)]),
    ).toEqual([
      { name: "a", displayName: "A", versions: ["3", "2"], reasons: "not published for aws" },
      { name: "a", displayName: "A", versions: ["1"], reasons: "not published for aws; no arm64 build" },
      { name: "b", displayName: "B", versions: ["2"], reasons: "not published for aws" },
      { name: "a", displayName: "A", versions: ["0"], reasons: "not published for aws" },
    ]);
  });
});
