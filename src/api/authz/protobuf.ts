/**
 * Protobuf request bodies of the RBAC kinds and the review APIs (field numbers from upstream's
 * k8s.io/api rbac/v1, authorization/v1 and authentication/v1 generated.proto), registered with
 * the server's decoder: kubectl's typed clients (`create role`, `create rolebinding`, `auth can-i`,
 * `auth whoami`) send them.
 */
import { registerProtobufMessages, type ProtobufMessage } from '../server/protobuf.js';

const KEEP = { keep: true } as const;

const MESSAGES: Record<string, ProtobufMessage> = {
  PolicyRule: { 1: ['verbs', 'string[]'], 2: ['apiGroups', 'string[]'], 3: ['resources', 'string[]'], 4: ['resourceNames', 'string[]'], 5: ['nonResourceURLs', 'string[]'] },
  Role: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', 'PolicyRule[]'] },
  AggregationRule: { 1: ['clusterRoleSelectors', 'LabelSelector[]'] },
  ClusterRole: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', 'PolicyRule[]'], 3: ['aggregationRule', 'AggregationRule'] },
  RbacSubject: { 1: ['kind', 'string'], 2: ['apiGroup', 'string', KEEP], 3: ['name', 'string'], 4: ['namespace', 'string'] },
  RoleRef: { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] },
  RoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', 'RbacSubject[]'], 3: ['roleRef', 'RoleRef'] },
  ResourceAttributes: {
    1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'],
    6: ['subresource', 'string'], 7: ['name', 'string'], 8: ['fieldSelector', 'ignore'], 9: ['labelSelector', 'ignore'],
  },
  NonResourceAttributes: { 1: ['path', 'string'], 2: ['verb', 'string'] },
  SelfSubjectAccessReviewSpec: { 1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'] },
  SelfSubjectAccessReview: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SelfSubjectAccessReviewSpec'], 3: ['status', 'ignore'] },
  SelfSubjectRulesReviewSpec: { 1: ['namespace', 'string'] },
  SelfSubjectRulesReview: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SelfSubjectRulesReviewSpec'], 3: ['status', 'ignore'] },
  SubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'], 3: ['user', 'string'],
    4: ['groups', 'string[]'], 5: ['extra', 'ignore'], 6: ['uid', 'string'],
  },
  SubjectAccessReview: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SubjectAccessReviewSpec'], 3: ['status', 'ignore'] },
  SelfSubjectReview: { 1: ['metadata', 'ObjectMeta'], 2: ['status', 'ignore'] },
};

const RBAC = 'rbac.authorization.k8s.io/v1';
registerProtobufMessages(MESSAGES, {
  [`${RBAC}/Role`]: 'Role', [`${RBAC}/ClusterRole`]: 'ClusterRole', [`${RBAC}/RoleBinding`]: 'RoleBinding', [`${RBAC}/ClusterRoleBinding`]: 'RoleBinding',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'SubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1beta1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1alpha1/SelfSubjectReview': 'SelfSubjectReview',
});
