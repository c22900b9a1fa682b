/**
 * The `serviceaccounts/token` subresource (TokenRequest, authentication.k8s.io/v1): validates and
 * defaults the request as upstream (expirationSeconds default 3600, at least 600, at most 2^32;
 * audiences default to the API server's), resolves the bound object (Pod, Secret or Node; its uid
 * must match; a pod must run as this service account) and answers the request with a signed token.
 */
import type { KObject } from '../kinds/types.js';
import type { FieldError } from '../kinds/types.js';
import { ApiStatusError, badRequest, conflict, invalid, notFound } from '../server/status.js';
import { asArr, asObj, asStr, invalidMessage, isObj } from '../validation/index.js';
import type { BoundKind, IssueRequest, ObjectLookup, ServiceAccountTokens } from './tokens.js';

export const AUTHN_GROUP = 'authentication.k8s.io';
export const TOKEN_REQUEST_API_VERSION = `${AUTHN_GROUP}/v1`;
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

const RESOURCE_OF: Record<BoundKind, string> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };

function tokenRequestInvalid(name: string, errs: FieldError[]): ApiStatusError {
  return invalid('TokenRequest', AUTHN_GROUP, name, errs, invalidMessage('TokenRequest', name, errs).replace(/^TokenRequest /, `TokenRequest.${AUTHN_GROUP} `));
}

/** The request body checked and defaulted: what issue() needs besides the service account. */
export interface ParsedTokenRequest {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { kind: string; apiVersion: string; name: string; uid: string };
}

export function parseTokenRequest(body: unknown, saName: string, defaultAudiences: readonly string[]): ParsedTokenRequest {
  if (!isObj(body)) throw badRequest('the request body must be a TokenRequest object');
  const av = body.apiVersion;
  const kind = body.kind;
  if ((av !== undefined && av !== TOKEN_REQUEST_API_VERSION) || (kind !== undefined && kind !== 'TokenRequest')) {
    throw badRequest(`the API version in the data (${asStr(av)}) does not match the expected API version (${TOKEN_REQUEST_API_VERSION}) or kind ${asStr(kind)} does not match TokenRequest`);
  }
  const spec = asObj(body.spec);
  const errs: FieldError[] = [];
  const audiences = asArr(spec.audiences).map((a) => asStr(a)).filter((a) => a !== '');
  let exp = spec.expirationSeconds;
  if (exp === undefined || exp === null) exp = DEFAULT_EXPIRATION_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${JSON.stringify(exp)}: must be an integer` });
  } else if (exp < MIN_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` });
  } else if (exp > MAX_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueTooLong', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` });
  }
  let ref: ParsedTokenRequest['boundObjectRef'];
  if (isObj(spec.boundObjectRef)) {
    const r = spec.boundObjectRef;
    ref = { kind: asStr(r.kind), apiVersion: asStr(r.apiVersion), name: asStr(r.name), uid: asStr(r.uid) };
    if (!ref.name) errs.push({ type: 'FieldValueRequired', field: 'spec.boundObjectRef.name', message: 'Required value' });
  }
  if (errs.length) throw tokenRequestInvalid(saName, errs);
  return { audiences: audiences.length ? audiences : [...defaultAudiences], expirationSeconds: exp as number, ...(ref ? { boundObjectRef: ref } : {}) };
}

/**
 * Issues the token for `sa` (the stored ServiceAccount) and returns the TokenRequest response
 * object. `lookup` reads the bound object.
 */
export async function answerTokenRequest(tokens: ServiceAccountTokens, sa: KObject, body: unknown, lookup: ObjectLookup): Promise<Record<string, unknown>> {
  const ns = sa.metadata.namespace ?? '';
  const name = sa.metadata.name ?? '';
  const req = parseTokenRequest(body, name, tokens.audiences);
  const issue: IssueRequest = {
    namespace: ns, serviceAccount: { name, uid: sa.metadata.uid ?? '' }, audiences: req.audiences, expirationSeconds: req.expirationSeconds,
  };
  let boundOut: Record<string, string> | undefined;
  if (req.boundObjectRef) {
    const r = req.boundObjectRef;
    const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0]! : '';
    const kind = r.kind as BoundKind;
    if (group !== '' || !(kind in RESOURCE_OF)) {
      throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to object of type ${r.apiVersion || 'v1'}, Kind=${r.kind}`);
    }
    const obj = await lookup(kind, kind === 'Node' ? undefined : ns, r.name);
    if (!obj) throw notFound({ group: '', resource: RESOURCE_OF[kind] }, r.name);
    const uid = obj.metadata.uid ?? '';
    if (r.uid && r.uid !== uid) {
      throw conflict({ group: '', resource: kind }, r.name, `the UID in the bound object reference (${r.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (kind === 'Pod') {
      const podSa = asStr(asObj(obj.spec).serviceAccountName);
      if (podSa !== name) throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
      const nodeName = asStr(asObj(obj.spec).nodeName);
      if (nodeName) {
        const node = await lookup('Node', undefined, nodeName);
        if (node?.metadata.uid) issue.node = { name: nodeName, uid: node.metadata.uid };
      }
    }
    issue.bound = { kind, name: r.name, uid };
    boundOut = { kind, apiVersion: r.apiVersion || 'v1', name: r.name, uid };
  }
  const { token, expires } = tokens.issue(issue);
  return {
    kind: 'TokenRequest', apiVersion: TOKEN_REQUEST_API_VERSION,
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences: req.audiences, expirationSeconds: req.expirationSeconds, boundObjectRef: boundOut ?? null },
    status: { token, expirationTimestamp: expires.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}
