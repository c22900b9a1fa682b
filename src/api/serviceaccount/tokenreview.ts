/**
 * TokenReview (authentication.k8s.io/v1, create only): answers whether a bearer token
 * authenticates and as whom, as kube-apiserver's TokenReview REST does for webhook-style callers
 * (`system:auth-delegator`). Nothing is stored. The token is checked against the audiences the
 * review asks for (spec.audiences) or, when it names none, the API server's own; status.audiences
 * are those the token is valid for. A token that does not authenticate is a 201 with
 * `authenticated` unset and the reason in status.error, never an HTTP error.
 */
import { ApiStatusError } from '../server/status.js';
import { looksLikeJwt } from './jwt.js';
import { TokenInvalidError, type ObjectLookup, type ServiceAccountTokens } from './tokens.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(field: string, value: unknown, detail: string): ApiStatusError {
  const shown = JSON.stringify(value);
  return new ApiStatusError(422, 'Invalid', `TokenReview.authentication.k8s.io "" is invalid: ${field}: Invalid value: ${shown}: ${detail}`, {
    group: 'authentication.k8s.io', kind: 'TokenReview', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field }],
  });
}

/** The TokenReview answer for a decoded request body. */
export async function answerTokenReview(tokens: ServiceAccountTokens, body: unknown, lookup: ObjectLookup): Promise<Json> {
  if (!isObj(body)) throw new ApiStatusError(400, 'BadRequest', 'the request body must be an object');
  const spec = isObj(body.spec) ? body.spec : {};
  const token = spec.token;
  if (typeof token !== 'string' || token === '') {
    throw new ApiStatusError(422, 'Invalid', 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value', {
      group: 'authentication.k8s.io', kind: 'TokenReview', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.token' }],
    });
  }
  if (spec.audiences !== undefined && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string'))) {
    throw invalid('spec.audiences', spec.audiences, 'must be a list of strings');
  }
  const wanted = (spec.audiences as string[] | undefined)?.length ? (spec.audiences as string[]) : [...tokens.audiences];
  const meta = { ...(isObj(body.metadata) ? body.metadata : {}), creationTimestamp: null };
  const base = { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: meta, spec: { ...spec } };
  try {
    if (!looksLikeJwt(token)) throw new TokenInvalidError('not a JWT');
    const { user, audiences } = await tokens.review(token, wanted, lookup);
    return {
      ...base,
      status: {
        authenticated: true,
        user: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
        audiences,
      },
    };
  } catch (e) {
    if (!(e instanceof TokenInvalidError)) throw e;
    return { ...base, status: { user: {}, error: `[invalid bearer token, ${e.message}]` } };
  }
}
