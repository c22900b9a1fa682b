import { PodnetError } from '../util/errors.js';

/** A Kubernetes metav1.Status as returned with a failed request (or a watch ERROR event). */
export interface Status {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: { type?: string; message?: string; field?: string }[]; retryAfterSeconds?: number };
  metadata?: Record<string, unknown>;
}

const BY_HTTP: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/**
 * A failed API request. `code` is the Status reason ('NotFound', 'AlreadyExists', 'Conflict',
 * 'Invalid', 'Gone', 'Unauthorized', 'Forbidden', 'Expired', …), or derived from the HTTP status
 * when the server sent no Status.
 */
export class ApiError extends PodnetError {
  constructor(readonly httpStatus: number, readonly status: Status, message?: string) {
    super(status.reason || BY_HTTP[httpStatus] || (httpStatus >= 500 ? 'InternalError' : 'Unknown'),
      message ?? status.message ?? `HTTP ${httpStatus}`);
  }
  get reason(): string { return this.code; }
}

/** The API could not be reached (connection refused, TLS failure, socket missing…). */
export class ConnectionError extends PodnetError {
  constructor(message: string, cause?: unknown) { super('ECONNECTION', message, { cause }); }
}

export function isNotFound(e: unknown): boolean { return e instanceof ApiError && e.code === 'NotFound'; }
export function isAlreadyExists(e: unknown): boolean { return e instanceof ApiError && e.code === 'AlreadyExists'; }
export function isConflict(e: unknown): boolean { return e instanceof ApiError && e.code === 'Conflict'; }
/** 410 Gone, or the 'Expired' reason some servers use for too-old resourceVersions. */
export function isGone(e: unknown): boolean { return e instanceof ApiError && (e.httpStatus === 410 || e.code === 'Gone' || e.code === 'Expired'); }
