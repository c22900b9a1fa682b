import type { FieldError } from '../kinds/types.js';
import { PodnetError } from '../../util/errors.js';

/** A metav1.Status failure, thrown by handlers and written as the response. */
export interface StatusBody {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never>;
  status: 'Failure' | 'Success'; message: string; reason: string; code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field: string }[]; retryAfterSeconds?: number };
}

export class ApiStatusError extends PodnetError {
  constructor(readonly httpCode: number, reason: string, message: string, readonly details?: StatusBody['details']) {
    super(reason, message);
  }
  body(): StatusBody {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.code, code: this.httpCode, ...(this.details ? { details: this.details } : {}) };
  }
}

type Res = { group: string; resource: string };
const gr = (r: Res): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export const notFound = (r: Res, name: string): ApiStatusError =>
  new ApiStatusError(404, 'NotFound', `${gr(r)} "${name}" not found`, { name, group: r.group, kind: r.resource });
export const alreadyExists = (r: Res, name: string): ApiStatusError =>
  new ApiStatusError(409, 'AlreadyExists', `${gr(r)} "${name}" already exists`, { name, group: r.group, kind: r.resource });
export const conflict = (r: Res, name: string): ApiStatusError =>
  new ApiStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${gr(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: r.group, kind: r.resource });
export const badRequest = (message: string): ApiStatusError => new ApiStatusError(400, 'BadRequest', message);
export const gone = (message: string): ApiStatusError => new ApiStatusError(410, 'Expired', message);
export const methodNotAllowed = (): ApiStatusError => new ApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const unauthorized = (): ApiStatusError => new ApiStatusError(401, 'Unauthorized', 'Unauthorized');
export const unsupportedMedia = (ct: string): ApiStatusError => new ApiStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${ct}`);
export const internal = (message: string): ApiStatusError => new ApiStatusError(500, 'InternalError', `Internal error occurred: ${message}`);

/** 422 Invalid with one cause per field error, message worded like upstream's. */
export function invalid(kind: string, group: string, name: string, errs: readonly FieldError[], message: string): ApiStatusError {
  return new ApiStatusError(422, 'Invalid', message, {
    name, group, kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message.startsWith('Invalid value') || e.message.startsWith('Required') || e.message.startsWith('Unsupported') || e.message.startsWith('Duplicate') || e.message.startsWith('Forbidden') || e.message.startsWith('Not found') ? e.message : e.message, field: e.field })),
  });
}

/** 406: the Accept header admits none of the media types the endpoint can produce (upstream's wording). */
export const notAcceptable = (offers: readonly string[]): ApiStatusError =>
  new ApiStatusError(406, 'NotAcceptable', `only the following media types are accepted: ${offers.join(', ')}`);
