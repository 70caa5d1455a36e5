// The shapes the web/ views render, as type-only re-exports: what the catalog, compatibility and
// upgrade functions answer, and the wizard's URL state. Types only, so a view that imports this
// module brings no worker code with it (the import-direction rule in biome.json allows web/ this
// module and the vocabulary, nothing else of worker/).
export type { ImageHit, ImageQuery } from "../db/images";
export type { BundleSpec } from "./bundle-spec";
export type { AssessedPack, CompatibleResult, PackVersionSummary } from "./compatibility";
export type { PackFilters, WizardState } from "./filters";
export type { PackSearchResult, PackWithVersions } from "./packs";
export type { Installers, Product } from "./products";
export type { UpgradePlan } from "./upgrade";
export type { MissingPack } from "./yanks";
