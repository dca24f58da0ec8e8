// What a type mapping sees while it turns one plan resource into one ARM-shaped row.
import type { Json, ResourceRow } from '../../model.js';
import type { Attrs, Out, Val } from './plan-values.js';
import type { Addressed } from './references.js';

/** One managed resource instance of the plan, with the values the row is built from. */
export interface PlanResource extends Addressed {
  /** Terraform actions; ["no-op"] when the plan lists the resource only in planned_values. */
  actions: string[];
  /** `after` (or `before` for a resource the plan deletes); null when the plan has none. */
  values: Record<string, unknown> | null;
  /** after_unknown mirror (undefined for deleted resources). */
  unk: unknown;
  /** after_sensitive / before_sensitive mirror. */
  sens: unknown;
}

/** One row being built; association-style resources carry the address they merge into. */
export interface RowDraft {
  res: PlanResource;
  mapping: TypeMapping;
  row: ResourceRow;
  props: Record<string, Json>;
  sku: Record<string, Json>;
  unknown: Set<string>;
  /** Unknown paths that only mean "computed because a separate resource manages it": a merge clears them. */
  clearedByMerge: string[];
  mergeTarget: string | null;
}

export interface MapContext {
  /** The resource's values. */
  a: Attrs;
  res: PlanResource;
  /** Builder for `properties`; unknown reads become `properties.<path>`. */
  p: Out;
  /** Builder for the `sku` column; unknown reads become `sku.<path>`. */
  sku: Out;
  draft: RowDraft;
  /** An id-valued attribute: `plan://<address>` when it points into the plan, else the lower-case ARM id. */
  ref(a: Attrs, name: string): Val;
  /** A list of ids, as `ref` does for one. */
  refs(a: Attrs, name: string): Val;
  /** Address of the plan resource an id-valued attribute points at, or null. */
  target(a: Attrs, name: string): string | null;
  /** Address of the plan resource of `type` named by a name attribute (+ resource group), or null. */
  targetByName(type: string, nameAttr: string, rgAttr?: string): string | null;
  /** Set parent_id from a `ref` result (unknown → `parent_id` in unknown_paths). */
  parent(v: Val): void;
  /** Is this attribute written in the configuration (undefined when the plan carries no configuration for it)? */
  isConfigured(path: (string | number)[]): boolean | undefined;
}

export interface TypeMapping {
  /** Lower-case ARM type of the row. */
  arm: string;
  map(c: MapContext): void;
  /** Row name when it is not the `name` attribute. */
  name?(c: MapContext): Val;
  /** Association-style resources: fold this row into its target's row (found through draft.mergeTarget). */
  merge?(target: RowDraft, own: RowDraft): void;
  /** When a merging resource's target is not in the plan: keep its own row, or drop it. */
  orphan?: 'row' | 'drop';
  /**
   * Secret-bearing attributes the provider computes and configuration can never set (access keys,
   * connection strings, kubeconfigs). Every plan of an existing resource carries them; they are redacted
   * like any secret but are not the configuration's plaintext secrets.
   */
  exportedSecrets?: readonly string[];
  /** A row for a type without a mapping (it carries plaintext secrets): only configured secrets are listed. */
  unmapped?: true;
}
