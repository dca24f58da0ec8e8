// The terraform-plan collector: `terraform show -json` output → resources rows on ARM shapes, so the CI
// gate and the nightly audit run one check catalogue. See README.md in this folder for the mapping rules.
export { SUPPORTED_AZURERM_TYPES } from './azurerm-mappings.js';
export { KNOWN_FORMAT_VERSIONS, type NormalisedPlan, normalisePlan } from './normalise-plan.js';
export { DEFAULT_MAX_PLAN_BYTES, type PlanReadOptions, readPlan, readPlanStream } from './read-plan.js';
export { defaultModuleDir, locateResources, repositoryRoot, type SourceLocation } from './source-locations.js';
