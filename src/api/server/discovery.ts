import type { KindSemantics } from '../kinds/types.js';
import { REVIEW_PATHS } from '../authz/reviews.js';

/** The create-only review resources (SelfSubjectAccessReview, TokenReview, …) per group-version. */
function reviewResources(group: string, version: string): { resource: string; kind: string }[] {
  const out: { resource: string; kind: string }[] = [];
  for (const [gr, r] of Object.entries(REVIEW_PATHS)) {
    const [g, resource] = gr.split('/') as [string, string];
    if (g === group && r.versions.includes(version)) out.push({ resource, kind: r.kind });
  }
  return out;
}

export const SERVER_VERSION = {
  major: '1', minor: '32', gitVersion: 'v1.32.0+podnet', gitCommit: 'podnet', gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z', goVersion: 'n/a (podnet, TypeScript on Node.js)', compiler: 'podnet', platform: 'linux/amd64',
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The groups we serve (besides core), in the order /apis lists them. */
export function groups(kinds: KindSemantics[]): { group: string; version: string; versions: string[] }[] {
  const seen = new Map<string, string[]>();
  for (const k of kinds) {
    if (!k.group) continue;
    const vs = seen.get(k.group) ?? [];
    if (!vs.includes(k.version)) vs.push(k.version);
    seen.set(k.group, vs);
  }
  for (const [gr, r] of Object.entries(REVIEW_PATHS)) {
    const g = gr.split('/')[0]!;
    const vs = seen.get(g) ?? [];
    for (const v of r.versions) if (!vs.includes(v)) vs.push(v);
    seen.set(g, vs);
  }
  return [...seen].map(([group, versions]) => ({ group, version: versions[0]!, versions }));
}

export function apiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
}

export function apiGroupList(kinds: KindSemantics[]): object {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: groups(kinds).map(({ group, version, versions }) => ({
      name: group, versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })), preferredVersion: { groupVersion: `${group}/${version}`, version },
    })),
  };
}

export function apiGroup(kinds: KindSemantics[], group: string): object | undefined {
  const g = groups(kinds).find((x) => x.group === group);
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: g.versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })), preferredVersion: { groupVersion: `${group}/${g.version}`, version: g.version } };
}

/** APIResourceList for one group/version: resources, their subresources, verbs, short names, categories. */
export function apiResourceList(kinds: KindSemantics[], group: string, version: string): object | undefined {
  const ks = kinds.filter((k) => k.group === group && k.version === version);
  const reviews = reviewResources(group, version);
  if (!ks.length && !reviews.length) return undefined;
  const resources: object[] = reviews.map((r) => ({ name: r.resource, singularName: r.kind.toLowerCase(), namespaced: false, kind: r.kind, verbs: ['create'] }));
  for (const k of ks) {
    resources.push({
      name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: VERBS,
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length ? { categories: k.categories } : {}),
      storageVersionHash: Buffer.from(`${group}/${version}/${k.kind}`).toString('base64').slice(0, 11),
    });
    for (const sub of k.subresources) {
      const spec: Record<string, { kind: string; verbs: string[]; group?: string; version?: string }> = {
        status: { kind: k.kind, verbs: ['get', 'patch', 'update'] },
        scale: { kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' },
        binding: { kind: 'Binding', verbs: ['create'] },
        log: { kind: 'Pod', verbs: ['get'] },
        exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
        eviction: { kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
        token: { kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' },
        ephemeralcontainers: { kind: '', verbs: ['get', 'patch', 'update'] },
      };
      const s = spec[sub];
      if (s) resources.push({ name: `${k.resource}/${sub}`, singularName: '', namespaced: k.namespaced, kind: s.kind, verbs: s.verbs, ...(s.group ? { group: s.group, version: s.version } : {}) });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated-discovery media type the client accepts (kubectl ≥ 1.30 asks for it first), if any. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  const offers = accept.split(',').map((s) => s.replace(/\s+/g, '').toLowerCase());
  if (offers.some((o) => o.includes('g=apidiscovery.k8s.io') && o.includes('v=v2') && !o.includes('v=v2beta1') && o.includes('as=apigroupdiscoverylist'))) return AGG_V2;
  if (offers.some((o) => o.includes('g=apidiscovery.k8s.io') && o.includes('v=v2beta1') && o.includes('as=apigroupdiscoverylist'))) return AGG_V2BETA1;
  return undefined;
}

const SUB_KINDS: Record<string, { kind: string; verbs: string[]; group?: string; version?: string }> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' },
  binding: { kind: 'Binding', verbs: ['create'] },
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  eviction: { kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
  token: { kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' },
};

/**
 * apidiscovery.k8s.io APIGroupDiscoveryList: `/api` (legacy = core group only) or `/apis` (every
 * other group), each version with its resources, scopes, verbs and subresources in one document.
 */
export function aggregatedDiscovery(kinds: KindSemantics[], legacy: boolean, mediaType: string): object {
  const version = mediaType.includes('v=v2beta1') ? 'v2beta1' : 'v2';
  const gs = legacy ? [{ group: '', version: 'v1', versions: ['v1'] }] : groups(kinds);
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: gs.map(({ group, versions }) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v, freshness: 'Current',
        resources: [...reviewResources(group, v).map((r) => ({
          resource: r.resource, responseKind: { group, version: v, kind: r.kind }, scope: 'Cluster', singularResource: r.kind.toLowerCase(), verbs: ['create'],
        })), ...kinds.filter((k) => k.group === group && k.version === v).map((k) => ({
          resource: k.resource, responseKind: { group, version: v, kind: k.kind },
          scope: k.namespaced ? 'Namespaced' : 'Cluster', singularResource: k.singular, verbs: VERBS,
          ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
          ...(k.categories.length ? { categories: k.categories } : {}),
          ...(k.subresources.length ? {
            subresources: k.subresources.filter((s) => SUB_KINDS[s]).map((s) => {
              const d = SUB_KINDS[s]!;
              return { subresource: s, responseKind: { group: d.group ?? group, version: d.version ?? v, kind: d.kind || k.kind }, verbs: d.verbs };
            }),
          } : {}),
        }))],
      })),
    })),
  };
}
