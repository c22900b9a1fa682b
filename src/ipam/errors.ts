import { PodnetError } from '../util/errors.js';

/** ERANGE: outside the range · ETAKEN: already allocated · EFULL: range exhausted · EINVAL: unparsable input. */
export type AllocatorErrorCode = 'ERANGE' | 'ETAKEN' | 'EFULL' | 'EINVAL';

export class AllocatorError extends PodnetError {
  declare readonly code: AllocatorErrorCode;
  constructor(code: AllocatorErrorCode, message: string) { super(code, message); }
}
