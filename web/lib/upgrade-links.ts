// The upgrade page's URLs. Its state is the wizard's (product, version, useCase, cloud, arch, fips,
// packs: what the site runs today) plus `target`, so any bundle link pasted into it, and any plan,
// can be bookmarked and shared; these pure functions build the links a plan offers.
import type { BundleSpec, UpgradePlan, WizardState } from "../../worker/catalog/types";
import { stateQuery, stepHref } from "./wizard";

const stateOf = (spec: BundleSpec): WizardState => ({
  product: spec.product,
  version: spec.version,
  useCase: spec.useCase,
  cloud: spec.cloud,
  arch: spec.arch,
  fips: spec.fips,
  packs: spec.packs,
});

/** The upgrade page for a site (and, when given, a target version): a plan's own permalink. */
export const upgradeHref = (site: BundleSpec | WizardState, target?: string) =>
  `/upgrade${stateQuery("kind" in site ? stateOf(site) : site, { target })}`;

export type UpgradeLinks = {
  bundle: string;
  spec: string;
  page: string;
  nextUpgrade: string;
  download: string | null;
};

/** Where a plan's result and download live, as absolute URLs. */
export function upgradeLinks(origin: string, plan: UpgradePlan): UpgradeLinks {
  const result = stateOf(plan.result);
  return {
    bundle: origin + stepHref("confirm", result),
    spec: `${origin}/bundle/spec.json${stateQuery(result)}`,
    page: origin + upgradeHref(plan.current, plan.to),
    nextUpgrade: origin + upgradeHref(plan.result),
    // The plan page itself carries the download form (captcha, Download Bundle, Copy all URLs).
    download: plan.download.selection ? `${origin}${upgradeHref(plan.current, plan.to)}#download` : null,
  };
}
