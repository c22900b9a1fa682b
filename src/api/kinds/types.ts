/**
 * Per-kind API semantics (pure functions): identity, defaults, validation, server-side Table
 * printing, field-selector values and strategic-merge metadata. `src/api/kinds/index.ts` exports
 * the list of every kind; the server (src/api/server*) wires them into HTTP handlers.
 */

import type { FieldError, KObject } from '../../meta/types.js';
export type { CauseType, FieldError, KObject, ObjectMeta } from '../../meta/types.js';

export interface TableColumnDefinition { name: string; type: string; format: string; description: string; priority: number }
/** Row conditions (metav1.TableRowCondition): pods that Succeeded/Failed carry `Completed`. */
export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }
export interface TableRow { cells: unknown[]; object: KObject; conditions?: TableRowCondition[] }

/** How lists inside a kind merge under strategic merge patch: path (dotted, `[]` for list items) → merge key/strategy. */
export interface PatchMeta {
  [path: string]: {
    strategy: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys'; mergeKey?: string;
    /** Server-side apply's keys of an associative list when more than the merge key (ports: containerPort + protocol). */
    listMapKeys?: string[];
    /** Server-side apply: this map/struct is owned and replaced as a whole (x-kubernetes-map-type: atomic). */
    atomic?: boolean;
    /** Server-side apply's list type when the schema declares one (x-kubernetes-list-type). */
    listType?: 'atomic' | 'set' | 'map';
    /** Defaults of list-map key fields an item may omit (ContainerPort.protocol: TCP). */
    listMapKeyDefaults?: Record<string, unknown>;
  };
}

export interface KindSemantics {
  group: string;              // '' for core
  version: string;            // 'v1'
  kind: string;               // 'Pod'
  resource: string;           // 'pods'
  singular: string;           // 'pod'
  listKind: string;           // 'PodList'
  namespaced: boolean;
  shortNames: string[];
  categories: string[];       // e.g. ['all']
  /** Subresources served: 'status', 'scale', 'log', 'exec', 'binding', 'eviction'. */
  subresources: string[];
  /** Fills upstream defaults in place (Service.spec.type ClusterIP, sessionAffinity None, protocol TCP, …). */
  defaults(obj: KObject): void;
  /** Upstream-like validation; `old` is given on update (immutable fields, …). Empty = valid. */
  validate(obj: KObject, old?: KObject): FieldError[];
  /** Server-side printing with upstream's columns (priority 1 = shown with -o wide). */
  table(items: KObject[], now: Date): { columnDefinitions: TableColumnDefinition[]; rows: TableRow[] };
  /** Values for field selectors (always include metadata.name, metadata.namespace). */
  selectableFields(obj: KObject): Record<string, string>;
  /** Strategic merge patch metadata (list merge keys of the built-in types). */
  patchMeta: PatchMeta;
  /** True when a spec change bumps metadata.generation (kinds with spec). */
  hasGeneration: boolean;
  /** Set for kinds a CustomResourceDefinition defines (served at run time, schema from the CRD). */
  custom?: CustomKindInfo;
}

/** What the API machinery needs to know of a custom resource's definition. */
export interface CustomKindInfo {
  /** The CRD's name (`<plural>.<group>`). */
  crd: string;
  /** The version's openAPIV3Schema (structural). */
  schema: Record<string, unknown>;
  /** The scale subresource's paths, when served. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}
