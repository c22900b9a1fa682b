/**
 * The RBAC objects in memory (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings), kept current
 * from the store's watch, served to the RBAC authorizer as a PolicySource. ClusterRoles with an
 * aggregationRule answer their own rules plus those of every ClusterRole their selectors match.
 */
import type { Logger } from 'pino';
import { clusterRoleBindingKind, clusterRoleKind, roleBindingKind, roleKind, type PolicyRule, type RoleRef, type Subject } from '../kinds/rbac.js';
import type { KObject } from '../kinds/types.js';
import type { Registry } from '../server/registry.js';
import { asArr, asObj, selectorMatches } from '../validation/index.js';
import { KindCache } from './kindcache.js';
import type { BindingView, PolicySource } from './rbac.js';

const strs = (v: unknown): string[] => asArr(v).filter((x): x is string => typeof x === 'string');

export function rulesOf(o: KObject): PolicyRule[] {
  return asArr(o.rules).map((r) => {
    const x = asObj(r);
    return { verbs: strs(x.verbs), apiGroups: strs(x.apiGroups), resources: strs(x.resources), resourceNames: strs(x.resourceNames), nonResourceURLs: strs(x.nonResourceURLs) };
  });
}

export function bindingOf(o: KObject): BindingView {
  const ref = asObj(o.roleRef);
  return {
    name: o.metadata.name ?? '', namespace: o.metadata.namespace ?? '',
    roleRef: { apiGroup: String(ref.apiGroup ?? ''), kind: String(ref.kind ?? ''), name: String(ref.name ?? '') } satisfies RoleRef,
    subjects: asArr(o.subjects).map((s) => {
      const x = asObj(s);
      return { kind: String(x.kind ?? ''), name: String(x.name ?? ''), ...(x.namespace ? { namespace: String(x.namespace) } : {}) } satisfies Subject;
    }),
  };
}

/** Effective rules of every ClusterRole, with aggregation resolved (one level, as the controller does). */
export function effectiveClusterRoleRules(roles: readonly KObject[]): Map<string, PolicyRule[]> {
  const own = new Map(roles.map((r) => [r.metadata.name ?? '', rulesOf(r)]));
  const out = new Map<string, PolicyRule[]>();
  for (const r of roles) {
    const name = r.metadata.name ?? '';
    const agg = r.aggregationRule === undefined || r.aggregationRule === null ? undefined : asArr(asObj(r.aggregationRule).clusterRoleSelectors);
    if (!agg) { out.set(name, own.get(name)!); continue; }
    const rules = [...own.get(name)!];
    for (const other of roles) {
      if (other === r) continue;
      if (agg.some((sel) => selectorMatches(sel, other.metadata.labels))) rules.push(...own.get(other.metadata.name ?? '')!);
    }
    out.set(name, rules);
  }
  return out;
}

interface Snapshot {
  clusterRoleRules: Map<string, PolicyRule[]>;
  roleRules: Map<string, PolicyRule[]>;
  crbs: BindingView[];
  rbsByNs: Map<string, BindingView[]>;
}

export class RbacPolicyCache implements PolicySource {
  private readonly roles: KindCache;
  private readonly clusterRoles: KindCache;
  private readonly roleBindingsC: KindCache;
  private readonly crbC: KindCache;
  private snap: Snapshot | undefined;

  constructor(reg: Registry, log: Logger) {
    this.roles = new KindCache(reg, roleKind, log);
    this.clusterRoles = new KindCache(reg, clusterRoleKind, log);
    this.roleBindingsC = new KindCache(reg, roleBindingKind, log);
    this.crbC = new KindCache(reg, clusterRoleBindingKind, log);
    for (const c of [this.roles, this.clusterRoles, this.roleBindingsC, this.crbC]) c.onChange(() => { this.snap = undefined; });
  }

  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([this.roles, this.clusterRoles, this.roleBindingsC, this.crbC].map((c) => c.start(signal)));
  }

  private snapshot(): Snapshot {
    if (this.snap) return this.snap;
    const rbsByNs = new Map<string, BindingView[]>();
    for (const o of this.roleBindingsC.list()) {
      const b = bindingOf(o);
      const l = rbsByNs.get(b.namespace) ?? [];
      l.push(b);
      rbsByNs.set(b.namespace, l);
    }
    this.snap = {
      clusterRoleRules: effectiveClusterRoleRules(this.clusterRoles.list()),
      roleRules: new Map(this.roles.list().map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, rulesOf(o)])),
      crbs: this.crbC.list().map(bindingOf),
      rbsByNs,
    };
    return this.snap;
  }

  clusterRoleBindings(): readonly BindingView[] { return this.snapshot().crbs; }
  roleBindings(namespace: string): readonly BindingView[] { return this.snapshot().rbsByNs.get(namespace) ?? []; }
  clusterRoleRules(name: string): readonly PolicyRule[] | undefined { return this.snapshot().clusterRoleRules.get(name); }
  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined { return this.snapshot().roleRules.get(`${namespace}/${name}`); }
}
