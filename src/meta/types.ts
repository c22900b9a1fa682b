/**
 * The object shapes every part of podnet shares: the API server, the client, controllers, the
 * node agent, the proxy, DNS and the lab. This module is the ground floor: it imports nothing of ours.
 */

/** A generic Kubernetes object as stored and served. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  managedFields?: unknown[];
  [k: string]: unknown;
}

/** Kubernetes StatusCause reasons (metav1.CauseType). */
export type CauseType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid' | 'UnexpectedServerResponse' | 'FieldManagerConflict'
  | 'ResourceVersionTooLarge';

/** One validation failure; `field` is a path like `spec.ports[0].port`; message as upstream words it. */
export interface FieldError { type: CauseType; field: string; message: string }
