/**
 * The review APIs kubectl's `auth` commands call: SelfSubjectAccessReview (`auth can-i`),
 * SelfSubjectRulesReview (`auth can-i --list`), SelfSubjectReview (`auth whoami`, served in
 * authentication.k8s.io v1, v1beta1 and v1alpha1), and SubjectAccessReview for anyone allowed to
 * create it. Nothing is stored: each answers the posted object with its status filled in.
 */
import { ApiStatusError } from '../server/status.js';
import { asArr, asObj, asStr, isObj } from '../validation/index.js';
import type { Attributes, Authorizer, RuleResolver, UserInfo } from './types.js';

export const REVIEW_PATHS: Record<string, { kind: string; versions: string[] }> = {
  'authorization.k8s.io/selfsubjectaccessreviews': { kind: 'SelfSubjectAccessReview', versions: ['v1'] },
  'authorization.k8s.io/selfsubjectrulesreviews': { kind: 'SelfSubjectRulesReview', versions: ['v1'] },
  'authorization.k8s.io/subjectaccessreviews': { kind: 'SubjectAccessReview', versions: ['v1'] },
  'authentication.k8s.io/selfsubjectreviews': { kind: 'SelfSubjectReview', versions: ['v1', 'v1beta1', 'v1alpha1'] },
  // answered by the service-account token authenticator (src/api/serviceaccount/tokenreview.ts)
  'authentication.k8s.io/tokenreviews': { kind: 'TokenReview', versions: ['v1'] },
};

/** The review a path names (`/apis/GROUP/VERSION/RESOURCE`), if any. */
export function reviewOf(group: string, version: string, resource: string): { kind: string } | undefined {
  const r = REVIEW_PATHS[`${group}/${resource}`];
  return r && r.versions.includes(version) ? { kind: r.kind } : undefined;
}

function invalidReview(kind: string, group: string, field: string, value: string, detail: string): ApiStatusError {
  return new ApiStatusError(422, 'Invalid', `${kind}.${group} "" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, {
    group, kind, causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
  });
}

function specAttributes(kind: string, spec: Record<string, unknown>, user: UserInfo): Attributes {
  const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const na = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if ((ra && na) || (!ra && !na)) {
    throw invalidReview(kind, 'authorization.k8s.io', 'spec.resourceAttributes', ra ? '{...}' : 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  if (ra) {
    return {
      user, resourceRequest: true, path: '', verb: asStr(ra.verb), namespace: asStr(ra.namespace), apiGroup: asStr(ra.group), apiVersion: asStr(ra.version),
      resource: asStr(ra.resource), subresource: asStr(ra.subresource), name: asStr(ra.name),
    };
  }
  return { user, resourceRequest: false, path: asStr(na!.path), verb: asStr(na!.verb), namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

function accessStatus(authz: Authorizer, a: Attributes): Record<string, unknown> {
  const r = authz.authorize(a);
  return { allowed: r.decision === 'allow', ...(r.decision === 'deny' ? { denied: true } : {}), ...(r.reason ? { reason: r.reason } : {}) };
}

/** Answers one review POST; `body` is the decoded request object. Returns the response object. */
export function answerReview(kind: string, apiVersion: string, body: unknown, user: UserInfo, authz: Authorizer & RuleResolver): Record<string, unknown> {
  if (!isObj(body)) throw new ApiStatusError(400, 'BadRequest', 'the request body must be an object');
  const spec = asObj(body.spec);
  const base = { kind, apiVersion, metadata: { ...asObj(body.metadata), creationTimestamp: null } };
  switch (kind) {
    case 'SelfSubjectReview':
      return { ...base, status: { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } } };
    case 'SelfSubjectAccessReview':
      return { ...base, spec, status: accessStatus(authz, specAttributes(kind, spec, user)) };
    case 'SelfSubjectRulesReview': {
      const ns = asStr(spec.namespace);
      const r = authz.rulesFor(user, ns);
      return { ...base, spec, status: { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete, ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}) } };
    }
    case 'SubjectAccessReview': {
      const name = asStr(spec.user);
      const groups = asArr(spec.groups).map(String);
      if (!name && !groups.length) throw invalidReview(kind, 'authorization.k8s.io', 'spec.user', '', 'at least one of user or group must be specified');
      const extra = isObj(spec.extra) ? Object.fromEntries(Object.entries(spec.extra).map(([k, v]) => [k, asArr(v).map(String)])) : undefined;
      const subject: UserInfo = { name, groups, ...(spec.uid ? { uid: asStr(spec.uid) } : {}), ...(extra ? { extra } : {}) };
      return { ...base, spec, status: accessStatus(authz, specAttributes(kind, spec, subject)) };
    }
    default:
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
}
