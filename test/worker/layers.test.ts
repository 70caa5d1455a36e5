// The import-direction rule in biome.json lets web/ import worker/catalog/types; that is safe only
// while the module exports types alone (erased at build time), so a view brings no worker code along.
import { describe, expect, it } from "vitest";
import * as types from "../../worker/catalog/types";

describe("worker/catalog/types", () => {
  it("exports nothing at run time", () => {
    expect(Object.keys(types)).toEqual([]);
  });
});
