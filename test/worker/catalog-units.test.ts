// The pure parts of browsing: FTS5 query building and the query-string schemas.
import { describe, expect, it } from "vitest";
import { compatibleQuery, packFilters } from "../../worker/catalog/filters";
import { ftsQuery } from "../../worker/db/search-text";

describe("ftsQuery", () => {
  it("quotes every word and matches it as a prefix", () => {
    expect(ftsQuery("calico")).toBe('"calico"*');
    expect(ftsQuery("  Red   Hat ")).toBe('"Red"* "Hat"*');
    expect(ftsQuery("cni-calico 3.29")).toBe('"cni"* "calico"* "3"* "29"*');
  });

  it("drops FTS5 syntax so no input can make a query fail", () => {
    expect(ftsQuery('"')).toBeUndefined();
    expect(ftsQuery("*")).toBeUndefined();
    expect(ftsQuery("AND (")).toBe('"AND"*');
    expect(ftsQuery('x" OR "y')).toBe('"x"* "OR"* "y"*');
    expect(ftsQuery("NEAR(a b, 2)")).toBe('"NEAR"* "a"* "b"* "2"*');
    expect(ftsQuery("col:val ^start -neg")).toBe('"col"* "val"* "start"* "neg"*');
    expect(ftsQuery("")).toBeUndefined();
    expect(ftsQuery(undefined)).toBeUndefined();
  });

  it("keeps letters and digits of any script and caps the number of words", () => {
    expect(ftsQuery("überwachung 監視")).toBe('"überwachung"* "監視"*');
    expect(ftsQuery(Array.from({ length: 30 }, (_, i) => `w${i}`).join(" "))!.split(" ")).toHaveLength(12);
  });
});

describe("packFilters", () => {
  it("applies defaults and turns query text into typed values", () => {
    expect(packFilters.parse({})).toEqual({ limit: 24 });
    expect(packFilters.parse({ fips: "true", limit: "50", layer: "os" })).toEqual({
      fips: true,
      limit: 50,
      layer: "os",
    });
    expect(packFilters.parse({ fips: "false" }).fips).toBe(false);
  });

  it("names the field at fault", () => {
    const fieldOf = (input: Record<string, unknown>) => packFilters.safeParse(input).error?.issues[0].path.join(".");
    expect(fieldOf({ version: "4.6.12" })).toBe("version");
    expect(fieldOf({ fips: "1" })).toBe("fips");
    expect(fieldOf({ limit: "1000" })).toBe("limit");
    expect(fieldOf({ q: "x".repeat(201) })).toBe("q");
  });
});

describe("compatibleQuery", () => {
  it("parses the chosen packs as name@version", () => {
    const parsed = compatibleQuery.parse({
      product: "palette-enterprise",
      version: "4.7.3",
      useCase: "controller",
      packs: "ubuntu-aws@24.04, kubernetes@1.32.3,",
    });
    expect(parsed.packs).toEqual([
      { name: "ubuntu-aws", version: "24.04" },
      { name: "kubernetes", version: "1.32.3" },
    ]);
    expect(compatibleQuery.parse({ product: "palette-enterprise", version: "4.7.3", useCase: "agent" }).packs).toEqual(
      [],
    );
  });

  it("refuses malformed chosen packs, naming packs", () => {
    for (const packs of [
      "kubernetes",
      "@1.0",
      "kubernetes@",
      "Kube@1.0",
      Array.from({ length: 101 }, (_, i) => `p${i}@1.0`).join(","),
    ]) {
      const result = compatibleQuery.safeParse({
        product: "palette-enterprise",
        version: "4.7.3",
        useCase: "controller",
        packs,
      });
      expect(result.success, packs).toBe(false);
      expect(result.error?.issues[0].path).toEqual(["packs"]);
    }
  });
});
