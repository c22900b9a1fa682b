/**
 * OpenAPI definitions of the RBAC kinds, merged into the server's definition table
 * (src/api/openapi/schemas.ts) so /openapi/v2 and /openapi/v3 describe them and strict field
 * validation knows their fields.
 */
import type { Definition, FieldTuple } from '../openapi/schemas.js';
import { listTypeFields, OBJECT_TYPE_FIELDS } from '../openapi/fields.js';

const RBAC = 'io.k8s.api.rbac.v1';
const GVK = (kind: string): Definition['gvk'] => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });
const TYPE = OBJECT_TYPE_FIELDS;
const list = (item: string): FieldTuple[] => listTypeFields(item, `Items is a list of ${item}s.`, "Standard object's metadata.");
const def = (short: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full: `${RBAC}.${short}`, description, fields, ...extra });

export const RBAC_DEFINITIONS: Record<string, Definition> = {
  PolicyRule: def('PolicyRule', 'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.', [
    ['apiGroups', '[]string', 'APIGroups is the name of the APIGroup that contains the resources.'],
    ['nonResourceURLs', '[]string', 'NonResourceURLs is a set of partial urls that a user should have access to.'],
    ['resourceNames', '[]string', 'ResourceNames is an optional white list of names that the rule applies to.'],
    ['resources', '[]string', "Resources is a list of resources this rule applies to. '*' represents all resources."],
    ['verbs', '[]string', "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."],
  ], { required: ['verbs'] }),
  AggregationRule: def('AggregationRule', 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', [
    ['clusterRoleSelectors', '[]LabelSelector', "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules."],
  ]),
  Subject: def('Subject', 'Subject contains a reference to the object or user identities a role binding applies to.', [
    ['apiGroup', 'string', 'APIGroup holds the API group of the referenced subject.'],
    ['kind', 'string', 'Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".'],
    ['name', 'string', 'Name of the object being referenced.'],
    ['namespace', 'string', 'Namespace of the referenced object.'],
  ], { required: ['kind', 'name'] }),
  RoleRef: def('RoleRef', 'RoleRef contains information that points to the role being used', [
    ['apiGroup', 'string', 'APIGroup is the group for the resource being referenced'],
    ['kind', 'string', 'Kind is the type of resource being referenced'],
    ['name', 'string', 'Name is the name of resource being referenced'],
  ], { required: ['apiGroup', 'kind', 'name'] }),
  Role: def('Role', 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
    [...TYPE, ['rules', '[]PolicyRule', 'Rules holds all the PolicyRules for this Role']], { gvk: GVK('Role') }),
  RoleList: def('RoleList', 'RoleList is a collection of Roles', list('Role'), { gvk: GVK('RoleList'), required: ['items'] }),
  ClusterRole: def('ClusterRole', 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.', [
    ['aggregationRule', 'AggregationRule', 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.'],
    ...TYPE, ['rules', '[]PolicyRule', 'Rules holds all the PolicyRules for this ClusterRole'],
  ], { gvk: GVK('ClusterRole') }),
  ClusterRoleList: def('ClusterRoleList', 'ClusterRoleList is a collection of ClusterRoles', list('ClusterRole'), { gvk: GVK('ClusterRoleList'), required: ['items'] }),
  RoleBinding: def('RoleBinding', 'RoleBinding references a role, but does not contain it.', [
    ...TYPE, ['roleRef', 'RoleRef', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. This field is immutable.'],
    ['subjects', '[]Subject', 'Subjects holds references to the objects the role applies to.'],
  ], { gvk: GVK('RoleBinding'), required: ['roleRef'] }),
  RoleBindingList: def('RoleBindingList', 'RoleBindingList is a collection of RoleBindings', list('RoleBinding'), { gvk: GVK('RoleBindingList'), required: ['items'] }),
  ClusterRoleBinding: def('ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.', [
    ...TYPE, ['roleRef', 'RoleRef', 'RoleRef can only reference a ClusterRole in the global namespace. This field is immutable.'],
    ['subjects', '[]Subject', 'Subjects holds references to the objects the role applies to.'],
  ], { gvk: GVK('ClusterRoleBinding'), required: ['roleRef'] }),
  ClusterRoleBindingList: def('ClusterRoleBindingList', 'ClusterRoleBindingList is a collection of ClusterRoleBindings', list('ClusterRoleBinding'), { gvk: GVK('ClusterRoleBindingList'), required: ['items'] }),
};
