/**
 * Authorization for the API server: the chain system:masters → Node authorizer → RBAC, fed by
 * in-memory caches of the RBAC objects and of pods (kept current from the store's watch), the
 * bootstrap policy, impersonation, NodeRestriction admission and the review APIs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { kindByKind } from '../kinds/index.js';
import type { KObject } from '../kinds/types.js';
import type { Registry } from '../server/registry.js';
import type { ApiStatusError } from '../server/status.js';
import { ensureBootstrapPolicy } from './bootstrap.js';
import { forbidden } from './forbidden.js';
import { impersonate } from './impersonation.js';
import { KindCache } from './kindcache.js';
import { NodeAuthorizer } from './node.js';
import { NodeGraph } from './nodegraph.js';
import { nodeRestriction } from './noderestriction.js';
import { PrivilegedGroupAuthorizer, RbacAuthorizer, UnionAuthorizer } from './rbac.js';
import { RbacPolicyCache } from './policycache.js';
import { requestInfo } from './requestinfo.js';
import { answerReview, reviewOf } from './reviews.js';
import { SYSTEM_MASTERS, type Attributes, type UserInfo } from './types.js';

export type { Attributes, UserInfo } from './types.js';
export { reviewOf } from './reviews.js';

/** Subresources whose GET upgrade (websocket) is authorized as `create`, as upstream does. */
const UPGRADE_CREATE = new Set(['exec', 'attach', 'portforward']);

export class Authorization {
  private readonly policy: RbacPolicyCache;
  private readonly pods: KindCache;
  private readonly graph = new NodeGraph();
  readonly authorizer: UnionAuthorizer;
  private readonly ac = new AbortController();

  constructor(private readonly reg: Registry, private readonly log: Logger) {
    this.policy = new RbacPolicyCache(reg, log);
    this.pods = new KindCache(reg, kindByKind('', 'Pod')!, log);
    this.pods.onChange((ev, obj) => (ev === 'delete' ? this.graph.remove(obj) : this.graph.upsert(obj)));
    this.authorizer = new UnionAuthorizer([new PrivilegedGroupAuthorizer([SYSTEM_MASTERS]), new NodeAuthorizer(this.graph), new RbacAuthorizer(this.policy)]);
  }

  /** Creates the bootstrap policy, then fills the caches; resolves when they are synced. */
  async start(): Promise<void> {
    await ensureBootstrapPolicy(this.reg, this.log);
    await Promise.all([this.policy.start(this.ac.signal), this.pods.start(this.ac.signal)]);
  }
  stop(): void { this.ac.abort(); }

  /**
   * The user a request acts as (after impersonation) and its attributes; throws the 403 Status
   * when no authorizer allows it.
   */
  authorizeRequest(method: string, url: string, headers: IncomingHttpHeaders, requestor: UserInfo, upgrade = false): Attributes {
    const user = impersonate(requestor, headers, this.authorizer);
    const info = requestInfo(method, url);
    const a: Attributes = { user, ...info };
    if (upgrade && info.resourceRequest && UPGRADE_CREATE.has(info.subresource)) a.verb = 'create';
    const r = this.authorizer.authorize(a);
    if (r.decision !== 'allow') throw forbidden(a, r.reason);
    return a;
  }

  /** NodeRestriction for writes by node credentials; `obj` is a create's body. */
  async admit(a: Attributes, obj?: KObject): Promise<ApiStatusError | undefined> {
    const podOf = async (ns: string, name: string): Promise<{ nodeName: string; uid: string } | undefined> => {
      const pod = await this.reg.tryGet(kindByKind('', 'Pod')!, ns, name);
      return pod ? { nodeName: String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? ''), uid: pod.metadata.uid ?? '' } : undefined;
    };
    return nodeRestriction(a, obj, async (ns, name) => (await podOf(ns, name))?.nodeName, podOf);
  }

  /** Answers a review POST (SelfSubjectAccessReview, …) for the request's user. */
  review(kind: string, apiVersion: string, body: unknown, user: UserInfo): Record<string, unknown> {
    return answerReview(kind, apiVersion, body, user, this.authorizer);
  }
}

/** `/apis/GROUP/VERSION/RESOURCE` of a review API, if the path is one. */
export function reviewPath(path: string): { kind: string; apiVersion: string } | undefined {
  const m = /^\/apis\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const r = reviewOf(m[1]!, m[2]!, m[3]!);
  return r ? { kind: r.kind, apiVersion: `${m[1]}/${m[2]}` } : undefined;
}
