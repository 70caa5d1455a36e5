// The shapes the web/ views render, as type-only re-exports: what the catalog, compatibility and
// upgrade functions answer, and the wizard's URL state. Types only, so a view that imports this
// module brings no worker code with it (the import-direction rule in biome.json allows web/ this
// module and the vocabulary, nothing else of worker/).
export type { ImageHit, ImageQuery } from "../db/image-index";
export type { BundleSpec } from "./bundle-spec";
export type { AssessedPack, CompatibleResult, PackVersionSummary } from "./compatibility";
export type { PackFilters, WizardState } from "./filters";
export type { PackSearchResult, PackWithVersions } from "./pack-search";
export type { Installers, Product } from "./product-installers";
export type { UpgradePlan } from "./upgrade-plan";
export type { MissingPack } from "./yanks";
