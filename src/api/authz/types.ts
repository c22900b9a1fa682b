/**
 * Authorization's vocabulary, as upstream's k8s.io/apiserver/pkg/authorization/authorizer names
 * it: the user of a request, its attributes and an authorizer's decision.
 */

/** An authenticated (or impersonated) user: name, groups, optional uid and extra. */
export interface UserInfo { name: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }

/** What a request asks to do (authorizer.AttributesRecord). */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** true for /api and /apis resource paths, false for /healthz, /version, discovery, … */
  resourceRequest: boolean;
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

/** allow / deny end the chain; noOpinion passes the request to the next authorizer. */
export type Decision = 'allow' | 'deny' | 'noOpinion';
export interface AuthzResult { decision: Decision; reason: string }

export interface Authorizer {
  authorize(a: Attributes): AuthzResult;
}

/** A resource or non-resource rule an authorizer grants (for SelfSubjectRulesReview). */
export interface ResourceRuleInfo { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[] }
export interface NonResourceRuleInfo { verbs: string[]; nonResourceURLs: string[] }
export interface RulesResult { resourceRules: ResourceRuleInfo[]; nonResourceRules: NonResourceRuleInfo[]; incomplete: boolean; evaluationError?: string }

/** An authorizer that can also list what a user may do in a namespace. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}

export const SYSTEM_MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const NODES_GROUP = 'system:nodes';
export const NODE_PREFIX = 'system:node:';
export const SA_PREFIX = 'system:serviceaccount:';
