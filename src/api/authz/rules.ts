/**
 * Upstream's RBAC rule matching (pkg/apis/rbac/v1/evaluation_helpers.go): verbs, API groups,
 * resources with `resource/subresource` and `*` / `*\/subresource` wildcards, resource names and
 * non-resource URLs with a trailing `*`; and which subjects of a binding a user is.
 */
import type { PolicyRule, Subject } from '../kinds/rbac.js';
import type { Attributes, UserInfo } from './types.js';
import { SA_PREFIX } from './types.js';

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

export function verbMatches(r: PolicyRule, verb: string): boolean { return has(r.verbs, verb); }
export function apiGroupMatches(r: PolicyRule, group: string): boolean { return has(r.apiGroups, group); }

/** `resource` is "pods" or "pods/log"; a rule's "*" matches both, "*\/log" matches any …/log. */
export function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  for (const rr of r.resources ?? []) {
    if (rr === '*' || rr === combined) return true;
    if (subresource && rr === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(r: PolicyRule, name: string): boolean {
  if (!r.resourceNames?.length) return true;
  return r.resourceNames.includes(name);
}

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** RuleAllows: whether one rule grants the request. */
export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

/** serviceaccount.MakeUsername. */
export const serviceAccountUser = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

/**
 * appliesToUser: a User subject by name, a Group by membership, a ServiceAccount by its username
 * (`system:serviceaccount:NS:NAME`, NS defaulting to the RoleBinding's namespace).
 */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.name === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === serviceAccountUser(ns, s.name);
    }
    default: return false;
  }
}
