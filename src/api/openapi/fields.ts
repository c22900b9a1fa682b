/**
 * The field tuples every object and list definition starts with (TypeMeta + ObjectMeta/ListMeta), in
 * one place for every definition module (schemas.ts, policy.ts, authz/, serviceaccount/). A module of
 * its own, so the modules that schemas.ts imports can use it without an import cycle.
 */
import type { FieldTuple } from './schemas.js';

const API_VERSION: FieldTuple = ['apiVersion', 'string', 'APIVersion defines the versioned schema of this representation of an object.'];
const KIND: FieldTuple = ['kind', 'string', 'Kind is a string value representing the REST resource this object represents.'];

/** apiVersion, kind, metadata (ObjectMeta): spread them into an object's fields. */
export const OBJECT_TYPE_FIELDS: readonly FieldTuple[] = [API_VERSION, KIND, ['metadata', 'ObjectMeta', "Standard object's metadata."]];

/** A list's fields: apiVersion, items (`[]item`), kind, metadata (ListMeta), with upstream's wording per list. */
export function listTypeFields(item: string, itemsDescription: string, metadataDescription = 'Standard list metadata.'): FieldTuple[] {
  return [API_VERSION, ['items', `[]${item}`, itemsDescription], KIND, ['metadata', 'ListMeta', metadataDescription]];
}
