import type { FieldError } from '../kinds/types.js';
import { PodnetError } from '../../util/errors.js';

/** One cause of a failure (metav1.StatusCause). */
export interface StatusCause { reason?: string; message: string; field?: string }

/** metav1.StatusDetails: `kind` is the resource plural for NotFound/AlreadyExists/Conflict/Forbidden, the Kind for Invalid. */
export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }

/**
 * A complete metav1.Status failure as kube-apiserver writes it. `details` is always present (an
 * empty object when there is nothing to say): clients such as `kubectl debug` read
 * `details.name` without a nil check.
 */
export interface StatusBody {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never>;
  status: 'Failure' | 'Success'; message: string; reason: string; details: StatusDetails; code: number;
}

/** An error answered as a Status: thrown by handlers and written as the response. */
export class ApiStatusError extends PodnetError {
  readonly details: StatusDetails;
  constructor(readonly httpCode: number, reason: string, message: string, details?: StatusDetails) {
    super(reason, message);
    this.details = details ?? {};
  }
  body(): StatusBody {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.code, details: this.details, code: this.httpCode };
  }
}

/** A group/resource pair; `resource` is the plural (pods, deployments). */
export type Res = { group: string; resource: string };
const gr = (r: Res): string => (r.group ? `${r.resource}.${r.group}` : r.resource);
/** details as upstream fills them for an object: name, group (omitted when core), kind = resource. */
const objDetails = (r: Res, name: string): StatusDetails => ({ name, ...(r.group ? { group: r.group } : {}), kind: r.resource });

export const notFound = (r: Res, name: string): ApiStatusError =>
  new ApiStatusError(404, 'NotFound', `${gr(r)} "${name}" not found`, objDetails(r, name));
/** A path the server does not serve (no such resource, subresource or endpoint): details stay empty. */
export const pathNotFound = (): ApiStatusError =>
  new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
export const alreadyExists = (r: Res, name: string): ApiStatusError =>
  new ApiStatusError(409, 'AlreadyExists', `${gr(r)} "${name}" already exists`, objDetails(r, name));
export const conflict = (r: Res, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiStatusError =>
  new ApiStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${gr(r)} "${name}": ${why}`, objDetails(r, name));
export const forbidden = (r: Res, name: string, why: string, causes?: StatusCause[]): ApiStatusError =>
  new ApiStatusError(403, 'Forbidden', `${gr(r)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, { ...objDetails(r, name), ...(causes ? { causes } : {}) });
export const badRequest = (message: string): ApiStatusError => new ApiStatusError(400, 'BadRequest', message);
export const gone = (message: string): ApiStatusError => new ApiStatusError(410, 'Expired', message);
export const methodNotAllowed = (r?: Res): ApiStatusError =>
  new ApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', r ? { ...(r.group ? { group: r.group } : {}), kind: r.resource } : {});
export const unauthorized = (): ApiStatusError => new ApiStatusError(401, 'Unauthorized', 'Unauthorized');
/** 415 for a request body type the endpoint does not take. */
export const unsupportedMediaType = (got: string, accepted: readonly string[]): ApiStatusError =>
  new ApiStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${got ? `; got ${got}` : ''}`);
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;
export const unsupportedMedia = (ct: string): ApiStatusError => unsupportedMediaType(ct, PATCH_TYPES);
/** 406 for an Accept header naming only types the server cannot produce. */
export const notAcceptable = (produced: readonly string[]): ApiStatusError =>
  new ApiStatusError(406, 'NotAcceptable', `only the following media types are accepted: ${produced.join(', ')}`);
export const tooLarge = (limit: number): ApiStatusError => new ApiStatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
export const internal = (message: string): ApiStatusError =>
  new ApiStatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
export const unavailable = (message: string): ApiStatusError => new ApiStatusError(503, 'ServiceUnavailable', message);

/** 422 Invalid with one cause per field error; details.kind is the Kind, as upstream. */
export function invalid(kind: string, group: string, name: string, errs: readonly FieldError[], message: string): ApiStatusError {
  return new ApiStatusError(422, 'Invalid', message, {
    name, ...(group ? { group } : {}), kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}
