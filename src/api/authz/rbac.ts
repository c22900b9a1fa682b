/**
 * The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): a request is allowed when a
 * rule of a role bound to the user allows it: ClusterRoleBindings everywhere, RoleBindings (to a
 * Role of their namespace or a ClusterRole) inside their namespace. Never denies; no matching rule
 * is "no opinion". Reads a PolicySource (the in-memory cache of the RBAC objects).
 */
import type { PolicyRule, RoleRef, Subject } from '../kinds/rbac.js';
import { ruleAllows, subjectMatches } from './rules.js';
import type { Attributes, Authorizer, AuthzResult, NonResourceRuleInfo, ResourceRuleInfo, RuleResolver, RulesResult, UserInfo } from './types.js';

export interface BindingView { name: string; namespace: string; roleRef: RoleRef; subjects: Subject[] }

/** What the authorizer reads; ClusterRole rules already include aggregated ones. */
export interface PolicySource {
  clusterRoleBindings(): readonly BindingView[];
  roleBindings(namespace: string): readonly BindingView[];
  clusterRoleRules(name: string): readonly PolicyRule[] | undefined;
  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined;
}

interface Visit { binding: BindingView; rules: readonly PolicyRule[] | undefined }

function describeSubject(s: Subject, ns: string): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount "${s.namespace || ns}/${s.name}"` : `${s.kind} "${s.name}"`;
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  constructor(private readonly policy: PolicySource) {}

  private rulesOf(b: BindingView): readonly PolicyRule[] | undefined {
    return b.roleRef.kind === 'ClusterRole' ? this.policy.clusterRoleRules(b.roleRef.name) : this.policy.roleRules(b.namespace, b.roleRef.name);
  }

  /** VisitRulesFor: every binding that applies to the user, with the matching subject. */
  private *visit(user: UserInfo, namespace: string): Generator<Visit & { subject: Subject }> {
    const scopes: readonly BindingView[][] = [[...this.policy.clusterRoleBindings()], namespace ? [...this.policy.roleBindings(namespace)] : []];
    for (const bindings of scopes) {
      for (const b of bindings) {
        const subject = b.subjects.find((s) => subjectMatches(user, s, b.namespace));
        if (subject) yield { binding: b, rules: this.rulesOf(b), subject };
      }
    }
  }

  authorize(a: Attributes): AuthzResult {
    for (const v of this.visit(a.user, a.namespace)) {
      const rule = v.rules?.find((r) => ruleAllows(a, r));
      if (!rule) continue;
      const b = v.binding;
      const where = b.namespace ? `RoleBinding "${b.name}/${b.namespace}"` : `ClusterRoleBinding "${b.name}"`;
      return { decision: 'allow', reason: `RBAC: allowed by ${where} of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(v.subject, b.namespace)}` };
    }
    return { decision: 'noOpinion', reason: '' };
  }

  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    const missing: string[] = [];
    for (const v of this.visit(user, namespace)) {
      if (!v.rules) { missing.push(`${v.binding.roleRef.kind.toLowerCase()}.rbac.authorization.k8s.io "${v.binding.roleRef.name}" not found`); continue; }
      for (const r of v.rules) {
        if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
        else resourceRules.push({ verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])], resourceNames: [...(r.resourceNames ?? [])] });
      }
    }
    return { resourceRules, nonResourceRules, incomplete: missing.length > 0, ...(missing.length ? { evaluationError: missing.join(', ') } : {}) };
  }
}

/** Members of a privileged group (system:masters) may do everything, whatever the bindings say. */
export class PrivilegedGroupAuthorizer implements Authorizer {
  constructor(private readonly groups: readonly string[]) {}
  authorize(a: Attributes): AuthzResult {
    return a.user.groups.some((g) => this.groups.includes(g)) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' };
  }
}

/** The union authorizer: the first allow or deny wins; reasons of "no opinion" are joined. */
export class UnionAuthorizer implements Authorizer, RuleResolver {
  constructor(private readonly chain: readonly (Authorizer & Partial<RuleResolver>)[]) {}
  authorize(a: Attributes): AuthzResult {
    const reasons: string[] = [];
    for (const z of this.chain) {
      const r = z.authorize(a);
      if (r.decision !== 'noOpinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join(', ') };
  }
  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const out: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errs: string[] = [];
    for (const z of this.chain) {
      if (!z.rulesFor) continue;
      const r = z.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      out.incomplete ||= r.incomplete;
      if (r.evaluationError) errs.push(r.evaluationError);
    }
    if (errs.length) out.evaluationError = errs.join(', ');
    return out;
  }
}
