/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding: upstream's
 * defaults (subject and roleRef apiGroup), validation (ValidatePolicyRule, ValidateRoleBinding…)
 * and server-side printing (printRole, printRoleBinding: ROLE, AGE and with -o wide USERS, GROUPS,
 * SERVICEACCOUNTS).
 */
import type { FieldError, KObject, TableColumnDefinition } from './types.js';
import { AGE_DESC, ageCol, col, defineKind, nameCol, nameIsPathSegment, simpleTable, translateTimestampSince } from './common.js';
import { asArr, asObj, asStr, invalid, isDNS1123Label, isDNS1123Subdomain, isPathSegmentName, notSupported, required, validateLabelSelector } from '../validation/index.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
export interface Subject { kind: string; apiGroup?: string; name: string; namespace?: string }
export interface RoleRef { apiGroup: string; kind: string; name: string }

const strs = (v: unknown): string[] => asArr(v).filter((x): x is string => typeof x === 'string');

/** rules[i] of a Role (namespaced) or ClusterRole. */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const r = asObj(rule);
  const errs: FieldError[] = [];
  if (!strs(r.verbs).length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = strs(r.nonResourceURLs);
  if (urls.length) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strs(r.apiGroups).length || strs(r.resources).length || strs(r.resourceNames).length) {
      errs.push(invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!strs(r.apiGroups).length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!strs(r.resources).length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(obj: KObject, namespaced: boolean): FieldError[] {
  return asArr(obj.rules).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

function validateAggregation(obj: KObject): FieldError[] {
  if (obj.aggregationRule === undefined || obj.aggregationRule === null) return [];
  const sels = asArr(asObj(obj.aggregationRule).clusterRoleSelectors);
  if (!sels.length) return [required('aggregationRule.clusterRoleSelectors')];
  return sels.flatMap((s, i) => validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`));
}

function validateSubject(s: unknown, bindingNamespaced: boolean, path: string): FieldError[] {
  const o = asObj(s);
  const errs: FieldError[] = [];
  const name = asStr(o.name);
  if (!name) errs.push(required(`${path}.name`));
  switch (o.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(`${path}.name`, name, m));
      if (asStr(o.apiGroup) !== '') errs.push(notSupported(`${path}.apiGroup`, o.apiGroup, ['']));
      if (!bindingNamespaced && !asStr(o.namespace)) errs.push(required(`${path}.namespace`));
      else if (asStr(o.namespace)) for (const m of isDNS1123Label(asStr(o.namespace))) errs.push(invalid(`${path}.namespace`, o.namespace, m));
      break;
    case 'User':
    case 'Group':
      if (asStr(o.apiGroup) !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, o.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, o.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(obj: KObject, old: KObject | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = asObj(obj.roleRef);
  if (asStr(ref.apiGroup) !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(asStr(ref.kind))) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const rn = asStr(ref.name);
  if (!rn) errs.push(required('roleRef.name'));
  else for (const m of isPathSegmentName(rn)) errs.push(invalid('roleRef.name', rn, m));
  asArr(obj.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  if (old) {
    const o = asObj(old.roleRef);
    if (o.apiGroup !== ref.apiGroup || o.kind !== ref.kind || o.name !== ref.name) errs.push(invalid('roleRef', obj.roleRef, 'cannot change roleRef'));
  }
  return errs;
}

/** SetDefaults_Subject / SetDefaults_RoleBinding: apiGroups of subjects and roleRef. */
function defaultBinding(obj: KObject): void {
  const ref = obj.roleRef as Partial<RoleRef> | undefined;
  if (ref && typeof ref === 'object' && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const s of asArr(obj.subjects)) {
    const sub = s as Partial<Subject>;
    if (typeof sub !== 'object' || sub === null || sub.apiGroup) continue;
    if (sub.kind === 'ServiceAccount') sub.apiGroup = '';
    else if (sub.kind === 'User' || sub.kind === 'Group') sub.apiGroup = RBAC_GROUP;
  }
}

/** rbac.SubjectsStrings: users, groups, service accounts (namespace/name), each joined with ", ". */
export function subjectsStrings(subjects: unknown): { users: string; groups: string; serviceAccounts: string } {
  const users: string[] = []; const groups: string[] = []; const sas: string[] = [];
  for (const s of asArr(subjects)) {
    const o = asObj(s);
    if (o.kind === 'User') users.push(asStr(o.name));
    else if (o.kind === 'Group') groups.push(asStr(o.name));
    else if (o.kind === 'ServiceAccount') sas.push(`${asStr(o.namespace)}/${asStr(o.name)}`);
  }
  return { users: users.join(', '), groups: groups.join(', '), serviceAccounts: sas.join(', ') };
}

const createdAt = (o: KObject): string => {
  const t = Date.parse(o.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? '<unknown>' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
};
const roleColumns = (): TableColumnDefinition[] => [nameCol(), col('Created At', 'date', AGE_DESC)];

function bindingColumns(what: 'roleBinding' | 'clusterRoleBinding', refDesc: string): TableColumnDefinition[] {
  return [
    nameCol(), col('Role', 'string', refDesc), ageCol(),
    col('Users', 'string', `Users in the ${what}`, 1), col('Groups', 'string', `Groups in the ${what}`, 1),
    col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
  ];
}
const bindingCells = (o: KObject, now: Date): unknown[] => {
  const ref = asObj(o.roleRef);
  const s = subjectsStrings(o.subjects);
  return [o.metadata?.name ?? '', `${asStr(ref.kind)}/${asStr(ref.name)}`, translateTimestampSince(o.metadata?.creationTimestamp, now), s.users, s.groups, s.serviceAccounts];
};

const RB_REF = 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.';
const CRB_REF = 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.';

export const roleKind = defineKind({
  group: RBAC_GROUP, version: 'v1', kind: 'Role', resource: 'roles', namespaced: true,
  nameFn: nameIsPathSegment,
  validateSpec: (o) => validateRules(o, true),
  table: simpleTable(roleColumns(), (o) => [o.metadata?.name ?? '', createdAt(o)]),
});

export const clusterRoleKind = defineKind({
  group: RBAC_GROUP, version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false,
  nameFn: nameIsPathSegment,
  validateSpec: (o) => [...validateRules(o, false), ...validateAggregation(o)],
  table: simpleTable(roleColumns(), (o) => [o.metadata?.name ?? '', createdAt(o)]),
});

export const roleBindingKind = defineKind({
  group: RBAC_GROUP, version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true,
  nameFn: nameIsPathSegment,
  defaults: defaultBinding,
  validateSpec: (o, old) => validateBinding(o, old, true),
  table: simpleTable(bindingColumns('roleBinding', RB_REF), bindingCells),
});

export const clusterRoleBindingKind = defineKind({
  group: RBAC_GROUP, version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false,
  nameFn: nameIsPathSegment,
  defaults: defaultBinding,
  validateSpec: (o, old) => validateBinding(o, old, false),
  table: simpleTable(bindingColumns('clusterRoleBinding', CRB_REF), bindingCells),
});

export const rbacKinds = [roleKind, clusterRoleKind, roleBindingKind, clusterRoleBindingKind];
