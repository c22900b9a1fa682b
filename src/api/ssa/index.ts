/**
 * Server-side apply and field ownership for the API handler: who the field manager of a request
 * is, what part of the object a (sub)resource write owns, and the apply body decoding.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parse } from 'yaml';
import type { KindSemantics } from '../kinds/types.js';
import { ApiStatusError, badRequest } from '../server/status.js';
import type { WriteIdentity } from './managed.js';

export { applyConfiguration, trackUpdate, readManaged, conflictMessage, ApplyConflictError, type ManagedFieldsEntry, type FieldConflict, type WriteIdentity } from './managed.js';
export { FieldSet, fieldSetOf, pathString, valueAt, type SetScope } from './fieldset.js';
export { mergeApplied, removePath } from './merge.js';
export { listTypeAt, type ListType } from './lists.js';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

function invalidOptions(kind: string, message: string, field: string): ApiStatusError {
  return new ApiStatusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io', kind, causes: [{ reason: 'FieldValueRequired', message, field }],
  });
}

/**
 * The request's field manager: the `fieldManager` query parameter, required for apply; for other
 * writes upstream's default, the User-Agent up to its first '/' (`kubectl/v1.32.0 (…)` → kubectl).
 */
export function fieldManagerOf(q: URLSearchParams, headers: IncomingHttpHeaders, apply: boolean, optionsKind: string): string {
  const m = q.get('fieldManager') ?? '';
  if (m.length > 128) throw invalidOptions(optionsKind, `Too long: may not be longer than 128`, 'fieldManager');
  if (m) return m;
  if (apply) throw invalidOptions(optionsKind, 'Required value: is required for apply patch', 'fieldManager');
  const ua = headers['user-agent'] ?? '';
  return ua.split('/')[0]!.slice(0, 128);
}

/** The identity of one write for managedFields. */
export function writeIdentity(k: KindSemantics, apiVersion: string, subresource: string | undefined, manager: string): WriteIdentity {
  const sub = subresource ?? '';
  const part = sub === 'status' ? 'status' : k.subresources.includes('status') ? 'main' : 'all';
  return { manager, apiVersion, subresource: sub, scope: { meta: k.patchMeta, part } };
}

/** The body of an apply patch: YAML (JSON is YAML too), one object. */
export function decodeApplyBody(raw: Buffer): unknown {
  let v: unknown;
  try { v = parse(raw.toString('utf8')); } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('the apply patch must be a single YAML or JSON object');
  return v;
}
