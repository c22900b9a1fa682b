/**
 * Impersonation (upstream's WithImpersonation filter): `Impersonate-User`, `Impersonate-Group`
 * (repeatable) and `Impersonate-Uid` headers turn the request into the named user's, when the
 * requestor may `impersonate` each: users, groups, uids (authentication.k8s.io) and service
 * accounts (by their namespace and name).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiStatusError } from '../server/status.js';
import { forbidden } from './forbidden.js';
import { AUTHENTICATED, SA_PREFIX, SERVICE_ACCOUNTS, UNAUTHENTICATED, type Attributes, type Authorizer, type UserInfo } from './types.js';

const ANONYMOUS = 'system:anonymous';

function values(h: IncomingHttpHeaders, name: string): string[] {
  const v = h[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

export function hasImpersonation(h: IncomingHttpHeaders): boolean {
  return Object.keys(h).some((k) => k.startsWith('impersonate-'));
}

function attrs(requestor: UserInfo, resource: string, name: string, namespace = '', apiGroup = ''): Attributes {
  return { user: requestor, verb: 'impersonate', resourceRequest: true, path: '', namespace, apiGroup, apiVersion: '', resource, subresource: '', name };
}

/** The user a request acts as: the requestor, or whom it impersonates (403 when not allowed). */
export function impersonate(requestor: UserInfo, h: IncomingHttpHeaders, authz: Authorizer): UserInfo {
  if (!hasImpersonation(h)) return requestor;
  const user = values(h, 'impersonate-user')[0];
  const groups = values(h, 'impersonate-group');
  const uid = values(h, 'impersonate-uid')[0];
  const extraKeys = Object.keys(h).filter((k) => k.startsWith('impersonate-extra-'));
  if (!user) {
    throw new ApiStatusError(500, 'InternalError', `Internal error occurred: requested ${[...groups.map((g) => `group ${JSON.stringify(g)}`), ...(uid ? ['uid'] : []), ...extraKeys].join(', ')} without impersonating a user`);
  }
  const checks: Attributes[] = [];
  let saGroups: string[] = [];
  if (user.startsWith(SA_PREFIX)) {
    const [ns, name] = user.slice(SA_PREFIX.length).split(':');
    checks.push(attrs(requestor, 'serviceaccounts', name ?? '', ns ?? ''));
    saGroups = [SERVICE_ACCOUNTS, `${SERVICE_ACCOUNTS}:${ns ?? ''}`];
  } else {
    checks.push(attrs(requestor, 'users', user));
  }
  for (const g of groups) checks.push(attrs(requestor, 'groups', g));
  if (uid) checks.push(attrs(requestor, 'uids', uid, '', 'authentication.k8s.io'));
  const extra: Record<string, string[]> = {};
  for (const k of extraKeys) {
    const key = decodeURIComponent(k.slice('impersonate-extra-'.length));
    extra[key] = values(h, k);
    for (const v of extra[key]!) checks.push({ ...attrs(requestor, 'userextras', v, '', 'authentication.k8s.io'), subresource: key });
  }
  for (const a of checks) {
    const r = authz.authorize(a);
    if (r.decision !== 'allow') throw forbidden(a, r.reason);
  }
  const out = groups.length ? [...groups] : saGroups;
  if (user !== ANONYMOUS && !out.includes(AUTHENTICATED) && !out.includes(UNAUTHENTICATED)) out.push(AUTHENTICATED);
  return { name: user, groups: out, ...(uid ? { uid } : {}), ...(extraKeys.length ? { extra } : {}) };
}
