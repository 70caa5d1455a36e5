// What POST /api/v1/publish/plan answers: the sync's plan (worker/sync/plan.ts) as the publisher
// command reads it, files named by what they are (pack name and version, installer product).
import type { ReleasePlan } from "../sync/plan";
import type { ReleasePlanView } from "./schemas";

export function planView(plan: ReleasePlan): ReleasePlanView {
  const restores = new Set(plan.restores);
  return {
    findings: plan.findings,
    newPacks: plan.newPacks.map((f) => ({ name: f.pack.name, version: f.pack.version, file: f.file })),
    newInstallers: plan.newInstallers.map((f) => ({
      product: f.product,
      productVersion: f.productVersion,
      kind: f.kind,
      file: f.file,
    })),
    alreadyPublished: plan.alreadyPublished,
    resigned: plan.resigned.map((f) => ({
      file: f.file,
      kind: f.kind,
      ...(f.kind === "pack"
        ? { name: f.pack.name, version: f.pack.version }
        : { name: f.product, version: f.productVersion }),
      withdrawn: restores.has(f.file),
    })),
    productWrites: plan.productWrites.map((w) => ({ id: w.entry.id, change: w.change })),
  };
}
