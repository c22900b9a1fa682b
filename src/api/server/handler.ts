/**
 * The HTTP surface of the API server: routing, verbs, content negotiation, Status errors. Storage
 * semantics live in Registry; per-kind semantics in src/api/kinds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { allKinds, kindByKind, groupOf, patchAllocatedValues } from '../kinds/index.js';
import type { KindSemantics, KObject } from '../kinds/types.js';
import { applyPatch } from '../patch/index.js';
import { strictDecodingMessage, unknownFields } from '../openapi/index.js';
import { userFromCert } from '../pki.js';
import { reviewPath, type Attributes, type Authorization, type UserInfo } from '../authz/index.js';
import { TokenInvalidError, type ServiceAccounts } from '../serviceaccount/index.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION, wantsAggregated } from './discovery.js';
import { decodeBody, readBody, sendError, sendJson } from './http.js';
import { assertJsonAcceptable, OBJECT_TYPES, objectResponseType, sendObject } from './respond.js';
import { sendJsonList } from './listjson.js';
import { BASE_CHECKS, healthPath, runHealth, writeHealth, type HealthCheck } from './health.js';
import type { KubeletEndpoints } from './kubeletendpoints.js';
import { podNode, proxyLogs, proxyStream, STREAMING_SUBRESOURCES, writeUpgradeError } from './kubeletproxy.js';
import { requestInfo, type ApiMetrics } from './metrics.js';
import { assertAcceptable } from './negotiate.js';
import { evictPod, parseEviction } from './eviction.js';
import { serveOpenApi } from './openapi.js';
import type { Registry } from './registry.js';
import { parseRoute } from './routes.js';
import { ApiStatusError, badRequest, conflict, forbidden, internal, invalid as invalidStatus, methodNotAllowed, notFound, pathNotFound, unauthorized, unsupportedMedia } from './status.js';
import { applyEphemeralContainers } from '../kinds/ephemeral.js';
import { invalidMessage } from '../validation/index.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { serveWatch } from './watch.js';
import { pruneCustom, unknownCustomFields } from '../crd/schema.js';
import { APPLY_PATCH_TYPE, applyConfiguration, decodeApplyBody, fieldManagerOf, trackUpdate, writeIdentity } from '../ssa/index.js';

export interface HandlerContext {
  registry: Registry;
  log: Logger;
  /** Called after a Namespace got its deletionTimestamp (content purge). */
  onNamespaceTerminating?(name: string): void;
  /** Where each node's kubelet listens, registered by the node itself (pods/log, pods/exec). */
  kubelets?: KubeletEndpoints;
  /** Checks of /healthz, /livez, /readyz beyond ping and log (e.g. the storage). */
  healthChecks?: readonly HealthCheck[];
  /** Prometheus metrics served on /metrics and fed by every request. */
  metrics?: ApiMetrics;
  /** Authorization (RBAC, Node authorizer, impersonation, NodeRestriction, reviews). */
  authz: Authorization;
  /** Service account tokens (bearer authentication, serviceaccounts/token) and the pod admission that mounts them. */
  serviceAccounts?: ServiceAccounts;
}

/** Response types of the API endpoints (the OpenAPI documents negotiate their own). */
const API_TYPES = ['application/json'] as const;
const RESOURCE_TYPES = OBJECT_TYPES;
const LOG_TYPES = ['text/plain', 'application/json'] as const;

const coreNs = (): KindSemantics => kindByKind('', 'Namespace')!;
const corePod = (): KindSemantics => kindByKind('', 'Pod')!;
const coreNode = (): KindSemantics => kindByKind('', 'Node')!;

/** The authenticated user of a request (x509 client certificate verified against the cluster CA). */
function authenticate(req: IncomingMessage): { name: string; groups: string[] } | undefined {
  const sock = req.socket as TLSSocket;
  if (typeof sock.getPeerCertificate !== 'function' || !sock.authorized) return undefined;
  const cert = sock.getPeerCertificate();
  return userFromCert(cert?.subject as { CN?: string; O?: string | string[] } | undefined);
}

/**
 * The user of a request: its client certificate first, else a service account bearer token (as
 * kube-apiserver's union authenticator orders x509 before tokens). A token that does not verify is
 * 401, never a fallback to anonymous.
 */
async function authenticateRequest(req: IncomingMessage, sa: ServiceAccounts | undefined): Promise<UserInfo | undefined> {
  const cert = authenticate(req);
  if (cert || !sa) return cert;
  try {
    return await sa.authenticate(req.headers.authorization);
  } catch (e) {
    if (e instanceof TokenInvalidError) return undefined;
    throw e;
  }
}

function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a decoded body is an object of the URL's kind (apiVersion/kind may be omitted). */
function asKObject(k: KindSemantics, body: unknown): KObject {
  if (!isObj(body)) throw badRequest('the request body must be a JSON object');
  const av = typeof body.apiVersion === 'string' ? body.apiVersion : undefined;
  const kind = typeof body.kind === 'string' ? body.kind : undefined;
  if (kind && kind !== k.kind) throw badRequest(`the API version in the data (${av ?? ''}) does not match the expected API version (${k.group ? `${k.group}/` : ''}${k.version}) or kind ${kind} does not match ${k.kind}`);
  if (av && (groupOf(av) !== k.group || av.split('/').pop() !== k.version)) throw badRequest(`the API version in the data (${av}) does not match the expected API version (${k.group ? `${k.group}/` : ''}${k.version})`);
  const o = body as KObject;
  o.apiVersion = k.group ? `${k.group}/${k.version}` : k.version;
  o.kind = k.kind;
  if (o.metadata !== undefined && !isObj(o.metadata)) throw badRequest('metadata must be an object');
  o.metadata ??= {};
  return o;
}

/** fieldValidation=Strict|Warn|Ignore for unknown fields (kubectl --validate). Returns warnings. */
function checkFields(q: URLSearchParams, obj: unknown, k?: KindSemantics): string[] {
  const mode = q.get('fieldValidation') ?? 'Warn';
  if (mode === 'Ignore') return [];
  const unknown = k?.custom ? unknownCustomFields(obj, k) : unknownFields(obj);
  if (!unknown.length) return [];
  if (mode === 'Strict') throw badRequest(strictDecodingMessage(unknown));
  return unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
}

/** propagationPolicy from the query or the DeleteOptions body (orphanDependents is the deprecated form). */
function propagation(q: URLSearchParams, opts: { propagationPolicy?: string; orphanDependents?: boolean }): string | undefined {
  const p = q.get('propagationPolicy') ?? opts.propagationPolicy;
  if (p) return p;
  const orphan = q.get('orphanDependents') ?? (typeof opts.orphanDependents === 'boolean' ? String(opts.orphanDependents) : null);
  if (orphan === 'true') return 'Orphan';
  if (orphan === 'false') return 'Background';
  return undefined;
}

function warningHeaders(w: string[]): Record<string, string> {
  return w.length ? { warning: w.map((m) => `299 - ${JSON.stringify(m)}`).join(', ') } : {};
}

export function createApiHandler(ctx: HandlerContext): {
  handle(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
} {
  const reg = ctx.registry;

  async function ensureNamespace(ns: string, creating: boolean): Promise<void> {
    const obj = await reg.tryGet(coreNs(), undefined, ns);
    if (!obj) throw notFound({ group: '', resource: 'namespaces' }, ns);
    if (creating && obj.metadata.deletionTimestamp) {
      throw new ApiStatusError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, {
        name: ns, kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  async function kubeletSocket(nodeName: string): Promise<string> {
    if (!ctx.kubelets) throw internal('this API server has no kubelet endpoint registry');
    return ctx.kubelets.socketFor(nodeName);
  }

  /** After a write of a Node: the node itself may register its kubelet socket (kubeletendpoints.ts). */
  async function noteWrite(req: IncomingMessage, k: KindSemantics, obj: KObject, dryRun: boolean): Promise<void> {
    if (!ctx.kubelets || dryRun || k !== coreNode()) return;
    await ctx.kubelets.noteNodeWrite(authenticate(req), obj).catch((e: unknown) => ctx.log.warn({ err: (e as Error).message, node: obj.metadata.name }, 'kubelet endpoint not recorded'));
  }

  async function admit(a: Attributes, obj?: KObject): Promise<void> {
    const denied = await ctx.authz.admit(a, obj);
    if (denied) throw denied;
  }

  async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, r: Extract<ReturnType<typeof parseRoute>, { type: 'resource' }>, attrs: Attributes): Promise<void> {
    const k = r.kind;
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const ns = k.namespaced ? r.namespace : undefined;
    if (!k.namespaced && r.namespace) throw notFound({ group: k.group, resource: k.resource }, r.namespace);
    const accept = req.headers.accept;
    const table = wantsTable(accept);
    const dryRun = q.getAll('dryRun').includes('All');

    // ---- collection ----
    if (r.name === undefined) {
      if (method === 'GET') {
        if (r.watchPrefix || queryFlag(q, 'watch')) {
          assertJsonAcceptable(accept);
          await serveWatch(reg, {
            kind: k, namespace: ns, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined,
            resourceVersion: q.get('resourceVersion') ?? undefined, timeoutSeconds: intParam(q, 'timeoutSeconds'),
            allowBookmarks: queryFlag(q, 'allowWatchBookmarks'), table: table ? { include: includeObject(q) } : undefined,
          }, req, res);
          return;
        }
        const listOpts = {
          labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: intParam(q, 'limit'), continue: q.get('continue') ?? undefined, resourceVersion: q.get('resourceVersion') ?? undefined,
        };
        // A plain JSON list: items spliced from the stored bytes and streamed (listjson.ts).
        if (!table && objectResponseType(accept, { apiVersion: reg.apiVersionOf(k), kind: k.listKind }) === 'application/json') {
          const raw = await reg.listJson(k, ns, listOpts);
          if (raw) {
            const meta = { resourceVersion: raw.resourceVersion, ...(raw.continue ? { continue: raw.continue } : {}) };
            return sendJsonList(res, { kind: k.listKind, apiVersion: reg.apiVersionOf(k), metadata: meta }, raw.items);
          }
        }
        const list = await reg.list(k, ns, listOpts);
        const meta = { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) };
        if (table) return sendObject(req, res, 200, toTable(k, list.items, includeObject(q), meta));
        return sendObject(req, res, 200, { kind: k.listKind, apiVersion: reg.apiVersionOf(k), metadata: meta, items: list.items });
      }
      if (method === 'POST') {
        if (k.namespaced && !ns) throw methodNotAllowed(k);
        const body = asKObject(k, decodeBody(await readBody(req), req.headers['content-type']));
        const warnings = checkFields(q, body, k);
        pruneCustom(body, k);
        trackUpdate(undefined, body, writeIdentity(k, reg.apiVersionOf(k), undefined, fieldManagerOf(q, req.headers, false, 'CreateOptions')));
        await admit(attrs, body);
        if (ns) await ensureNamespace(ns, true);
        if (k === corePod() && ns && ctx.serviceAccounts) await ctx.serviceAccounts.admitPod(ns, body);
        const created = await reg.create(k, ns, body, { dryRun });
        await noteWrite(req, k, created, dryRun);
        return sendObject(req, res, 201, created, warningHeaders(warnings));
      }
      if (method === 'DELETE') {
        const list = await reg.list(k, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
        const deleted: KObject[] = [];
        const grace = intParam(q, 'gracePeriodSeconds');
        const raw = await readBody(req);
        const body = raw.length && raw.toString().trim() ? decodeBody(raw, req.headers['content-type']) : undefined;
        const collDry = dryRun || (isObj(body) && Array.isArray(body.dryRun) && body.dryRun.includes('All'));
        const propagationPolicy = propagation(q, {});
        for (const o of list.items) {
          try { deleted.push((await reg.delete(k, o.metadata.namespace, o.metadata.name!, { dryRun: collDry, gracePeriodSeconds: grace, propagationPolicy })).obj); } catch (e) {
            if (!(e instanceof ApiStatusError && e.httpCode === 404)) throw e;
          }
          if (k.kind === 'Namespace' && k.group === '' && !collDry) ctx.onNamespaceTerminating?.(o.metadata.name!);
        }
        return sendObject(req, res, 200, { kind: k.listKind, apiVersion: reg.apiVersionOf(k), metadata: {}, items: deleted });
      }
      throw methodNotAllowed(k);
    }

    const name = r.name;
    const sub = r.subresource;
    if (sub && !k.subresources.includes(sub) && !(k.kind === 'Namespace' && sub === 'finalize')) {
      throw pathNotFound();
    }
    if (method === 'PUT' || method === 'PATCH' || method === 'DELETE' || (method === 'POST' && sub === 'binding')) await admit(attrs);

    // ---- pods/log ----
    if (sub === 'log') {
      if (method !== 'GET') throw methodNotAllowed(k);
      const pod = await reg.get(k, ns, name);
      proxyLogs(req, res, await kubeletSocket(podNode(pod)), pod, q);
      return;
    }
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') throw badRequest('Upgrade request required');

    // ---- serviceaccounts/token (TokenRequest) ----
    if (sub === 'token') {
      if (method !== 'POST') throw methodNotAllowed(k);
      if (!ctx.serviceAccounts) throw pathNotFound();
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      await admit(attrs, isObj(body) ? (body as KObject) : undefined);
      return sendObject(req, res, 201, await ctx.serviceAccounts.tokenRequest(ns ?? '', name, body));
    }

    // ---- pods/eviction (policy/v1 Eviction, honouring PodDisruptionBudgets) ----
    if (sub === 'eviction') {
      if (method !== 'POST') throw methodNotAllowed(k);
      await admit(attrs);
      const ev = parseEviction(decodeBody(await readBody(req), req.headers['content-type']), name);
      return sendObject(req, res, 201, await evictPod(reg, k, ns ?? 'default', name, ev, dryRun || (ev.dryRun ?? []).includes('All')));
    }

    // ---- scale (autoscaling/v1 Scale over spec.replicas) ----
    if (sub === 'scale') return handleScale(req, res, k, ns, name, q, dryRun);

    // ---- pods/binding ----
    if (sub === 'binding') {
      if (method !== 'POST') throw methodNotAllowed(k);
      const b = decodeBody(await readBody(req), req.headers['content-type']);
      const target = isObj(b) && isObj(b.target) ? b.target : undefined;
      const node = typeof target?.name === 'string' ? target.name : '';
      if (!node) throw new ApiStatusError(422, 'Invalid', 'Binding.target.name: Required value', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
      await reg.update(k, ns, name, (cur) => {
        const spec = (cur.spec ?? {}) as { nodeName?: string };
        if (spec.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
        spec.nodeName = node;
        cur.spec = spec;
        return cur;
      }, { subresource: 'binding', dryRun });
      return sendObject(req, res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }

    if (method === 'GET') {
      const obj = await reg.get(k, ns, name);
      if (table) return sendObject(req, res, 200, toTable(k, [obj], includeObject(q), { resourceVersion: obj.metadata.resourceVersion }));
      return sendObject(req, res, 200, obj);
    }
    if (method === 'PUT') {
      const body = asKObject(k, decodeBody(await readBody(req), req.headers['content-type']));
      const warnings = checkFields(q, body, k);
      const expectRV = body.metadata.resourceVersion || undefined;
      if (body.metadata.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      let out: KObject;
      const putId = writeIdentity(k, reg.apiVersionOf(k), sub, fieldManagerOf(q, req.headers, false, 'UpdateOptions'));
      if (sub === 'finalize') {
        out = await reg.update(k, ns, name, (cur) => ({ ...cur, spec: body.spec }), { expectRV, dryRun });
      } else {
        out = await reg.update(k, ns, name, (cur) => {
          const next = structuredClone(body);
          if (k.kind === 'Service' && k.group === '') patchAllocatedValues(next, cur);
          pruneCustom(next, k);
          trackUpdate(cur, next, putId);
          return podSubresourceWrite(k, sub, cur, next);
        }, { expectRV, subresource: sub, dryRun });
      }
      await noteWrite(req, k, out, dryRun);
      return sendObject(req, res, 200, out, warningHeaders(warnings));
    }
    if (method === 'PATCH') {
      const ct = req.headers['content-type'] ?? '';
      const base = ct.split(';')[0]!.trim();
      if (base === APPLY_PATCH_TYPE) return handleApply(req, res, k, ns, name, sub, q, dryRun);
      if (!['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(base)) {
        throw unsupportedMedia(ct);
      }
      const patchId = writeIdentity(k, reg.apiVersionOf(k), sub, fieldManagerOf(q, req.headers, false, 'PatchOptions'));
      const patch = decodeBody(await readBody(req), 'application/json');
      let warnings: string[] = [];
      const out = await reg.update(k, ns, name, (cur) => {
        const next = applyPatch(ct, cur, patch, k.patchMeta);
        if (!isObj(next)) throw badRequest('the patch did not produce an object');
        const obj = next as KObject;
        warnings = checkFields(q, obj, k);
        const wantRV = isObj(patch) && isObj(patch.metadata) && typeof patch.metadata.resourceVersion === 'string' ? patch.metadata.resourceVersion : undefined;
        if (wantRV && wantRV !== cur.metadata.resourceVersion) throw conflict(k, name);
        obj.metadata.resourceVersion = cur.metadata.resourceVersion;
        pruneCustom(obj, k);
        trackUpdate(cur, obj, patchId);
        return podSubresourceWrite(k, sub, cur, obj);
      }, { subresource: sub, dryRun, retries: 5 });
      await noteWrite(req, k, out, dryRun);
      return sendObject(req, res, 200, out, warningHeaders(warnings));
    }
    if (method === 'DELETE') {
      let opts: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: string; orphanDependents?: boolean; dryRun?: unknown } = {};
      const raw = await readBody(req);
      if (raw.length && raw.toString().trim()) {
        const b = decodeBody(raw, req.headers['content-type']);
        if (isObj(b)) opts = b as typeof opts;
      }
      if (k.kind === 'Namespace' && k.group === '' && ['default', 'kube-system', 'kube-public'].includes(name)) {
        throw forbidden({ group: '', resource: 'namespaces' }, name, 'this namespace may not be deleted');
      }
      const grace = intParam(q, 'gracePeriodSeconds') ?? (typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined);
      // kubectl sends dryRun in the DeleteOptions body (`delete --dry-run=server`), others in the query
      const deleteDry = dryRun || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'));
      const { obj, deleted } = await reg.delete(k, ns, name, {
        dryRun: deleteDry, gracePeriodSeconds: grace, preconditionUID: opts.preconditions?.uid, preconditionRV: opts.preconditions?.resourceVersion,
        propagationPolicy: propagation(q, opts),
      });
      if (k.kind === 'Namespace' && k.group === '' && !deleted && !deleteDry) ctx.onNamespaceTerminating?.(name);
      if (deleted && !(k.kind === 'Pod' && k.group === '')) {
        return sendObject(req, res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: k.group, kind: k.resource, uid: obj.metadata.uid } });
      }
      return sendObject(req, res, deleted ? 200 : 200, obj);
    }
    throw methodNotAllowed(k);
  }

  /** PATCH with application/apply-patch+yaml: server-side apply; creates the object when absent. */
  async function handleApply(req: IncomingMessage, res: ServerResponse, k: KindSemantics, ns: string | undefined, name: string, sub: string | undefined, q: URLSearchParams, dryRun: boolean): Promise<void> {
    if (sub && sub !== 'status') throw unsupportedMedia(req.headers['content-type'] ?? '');
    const id = writeIdentity(k, reg.apiVersionOf(k), sub, fieldManagerOf(q, req.headers, true, 'PatchOptions'));
    const force = queryFlag(q, 'force');
    const applied = asKObject(k, decodeApplyBody(await readBody(req)));
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    if (k.namespaced && applied.metadata.namespace !== undefined && applied.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const warnings = checkFields(q, applied, k);
    pruneCustom(applied, k);
    const exists = await reg.tryGet(k, ns, name);
    if (!exists && !sub) {
      applied.metadata.name = name;
      const obj = applyConfiguration(undefined, applied, id, force);
      if (ns) await ensureNamespace(ns, true);
      const created = await reg.create(k, ns, obj, { dryRun });
      await noteWrite(req, k, created, dryRun);
      return sendObject(req, res, 201, created, warningHeaders(warnings));
    }
    const out = await reg.update(k, ns, name, (cur) => {
      const merged = applyConfiguration(cur, applied, id, force);
      merged.metadata.resourceVersion = cur.metadata.resourceVersion;
      return merged;
    }, { subresource: sub, dryRun, retries: 5 });
    await noteWrite(req, k, out, dryRun);
    return sendObject(req, res, 200, out, warningHeaders(warnings));
  }

  async function handleScale(req: IncomingMessage, res: ServerResponse, k: KindSemantics, ns: string | undefined, name: string, q: URLSearchParams, dryRun: boolean): Promise<void> {
    const method = req.method ?? 'GET';
    const toScale = (o: KObject): KObject => {
      const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
      const status = (o.status ?? {}) as { replicas?: number };
      const sel = Object.entries(spec.selector?.matchLabels ?? {}).map(([a, b]) => `${a}=${b}`).join(',');
      return {
        kind: 'Scale', apiVersion: 'autoscaling/v1',
        metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
        spec: { replicas: spec.replicas ?? 1 }, status: { replicas: status.replicas ?? 0, selector: sel },
      };
    };
    if (method === 'GET') return sendObject(req, res, 200, toScale(await reg.get(k, ns, name)));
    if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(k);
    const ct = req.headers['content-type'] ?? 'application/json';
    const body = decodeBody(await readBody(req), method === 'PUT' ? ct : 'application/json');
    const out = await reg.update(k, ns, name, (cur) => {
      const scale = toScale(cur);
      const next = method === 'PUT' ? body : applyPatch(ct, scale, body, {});
      if (!isObj(next)) throw badRequest('the request did not produce a Scale object');
      const replicas = isObj(next.spec) ? next.spec.replicas : undefined;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw new ApiStatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
          name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
        });
      }
      const rv = isObj(next.metadata) && typeof next.metadata.resourceVersion === 'string' ? next.metadata.resourceVersion : '';
      if (method === 'PUT' && rv && rv !== cur.metadata.resourceVersion) throw conflict(k, name);
      const before = structuredClone(cur);
      (cur.spec as { replicas?: number }).replicas = replicas;
      trackUpdate(before, cur, writeIdentity(k, reg.apiVersionOf(k), 'scale', fieldManagerOf(q, req.headers, false, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions')));
      return cur;
    }, { dryRun, retries: method === 'PATCH' ? 5 : 0 });
    return sendObject(req, res, 200, toScale(out));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const health = healthPath(path);
    if (health) {
      const result = await runHealth(health.endpoint, [...BASE_CHECKS, ...(ctx.healthChecks ?? [])], url.searchParams, health.check);
      for (const f of result.failed) ctx.log.warn({ check: f.name, err: f.error }, `${health.endpoint} check failed`);
      return writeHealth(res, result);
    }
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    const requestor = await authenticateRequest(req, ctx.serviceAccounts);
    if (!requestor) throw unauthorized();
    const attrs = ctx.authz.authorizeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, requestor);
    if (path === '/metrics' && ctx.metrics) {
      const text = await ctx.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (serveOpenApi(req, res, path)) return;
    const r = parseRoute(path);
    assertAcceptable(req.headers.accept, r.type === 'resource' ? (r.subresource === 'log' ? LOG_TYPES : RESOURCE_TYPES) : reviewPath(path) ? RESOURCE_TYPES : API_TYPES);
    if (r.type === 'discovery') {
      if ((req.method ?? 'GET') !== 'GET') throw methodNotAllowed();
      const agg = !r.version && (r.legacy || !r.group) ? wantsAggregated(req.headers.accept) : undefined;
      if (agg) return sendJson(res, 200, aggregatedDiscovery(allKinds, r.legacy, agg), { 'content-type': agg });
      if (r.legacy && !r.version) return sendJson(res, 200, apiVersions());
      if (!r.legacy && !r.group) return sendJson(res, 200, apiGroupList(allKinds));
      if (!r.version) {
        const g = apiGroup(allKinds, r.group);
        if (!g) throw pathNotFound();
        return sendJson(res, 200, g);
      }
      const list = apiResourceList(allKinds, r.group, r.version);
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    if (r.type === 'resource') return handleResource(req, res, url, r, attrs);
    const review = reviewPath(path);
    if (review) {
      if ((req.method ?? 'GET') !== 'POST') throw methodNotAllowed();
      const body = decodeBody(await readBody(req), req.headers['content-type']);
      if (review.kind === 'TokenReview') {
        if (!ctx.serviceAccounts) throw pathNotFound();
        return sendObject(req, res, 201, await ctx.serviceAccounts.tokenReview(body));
      }
      return sendObject(req, res, 201, ctx.authz.review(review.kind, review.apiVersion, body, attrs.user));
    }
    throw pathNotFound();
  }

  return {
    handle(req, res) {
      const started = Date.now();
      route(req, res).catch((e: unknown) => {
        if (!(e instanceof ApiStatusError)) ctx.log.error({ err: e, method: req.method, url: req.url }, 'request failed');
        sendError(res, e);
      }).finally(() => {
        ctx.metrics?.observeRequest(requestInfo(req.method ?? 'GET', new URL(req.url ?? '/', 'https://apiserver')), res.statusCode, (Date.now() - started) / 1000);
        ctx.log.debug({ method: req.method, url: req.url, code: res.statusCode, ms: Date.now() - started }, 'request');
      });
    },
    upgrade(req, socket, head) {
      (async () => {
        const url = new URL(req.url ?? '/', 'https://apiserver');
        const requestor = await authenticateRequest(req, ctx.serviceAccounts);
        if (!requestor) throw unauthorized();
        ctx.authz.authorizeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, requestor, true);
        const r = parseRoute(url.pathname);
        const sub = r.type === 'resource' ? STREAMING_SUBRESOURCES.find((s) => s === r.subresource) : undefined;
        if (r.type !== 'resource' || r.kind !== corePod() || !sub || !r.name) {
          throw pathNotFound();
        }
        const pod = await reg.get(r.kind, r.namespace, r.name);
        proxyStream(sub, req, socket, head, await kubeletSocket(podNode(pod)), pod, url.searchParams);
        ctx.metrics?.observeRequest(requestInfo(req.method ?? 'GET', url, true), 101, 0);
      })().catch((e: unknown) => {
        const err = e instanceof ApiStatusError ? e : internal((e as Error).message);
        ctx.metrics?.observeRequest(requestInfo(req.method ?? 'GET', new URL(req.url ?? '/', 'https://apiserver'), true), err.httpCode, 0);
        writeUpgradeError(socket, err);
      });
    },
  };
}

/**
 * Pods: a write to pods/NAME/ephemeralcontainers changes only spec.ephemeralContainers (added, never
 * removed or changed: 422 otherwise); any other write keeps them as they are.
 */
function podSubresourceWrite(k: KindSemantics, sub: string | undefined, cur: KObject, next: KObject): KObject {
  if (k.kind !== 'Pod' || k.group !== '') return next;
  if (sub === 'ephemeralcontainers') {
    const { pod, errs } = applyEphemeralContainers(cur, next);
    if (errs.length) throw invalidStatus('Pod', '', cur.metadata.name ?? '', errs, invalidMessage('Pod', cur.metadata.name ?? '', errs));
    return pod;
  }
  if (sub === undefined && next.spec && typeof next.spec === 'object') {
    const eph = (cur.spec as Record<string, unknown> | undefined)?.ephemeralContainers;
    const spec = next.spec as Record<string, unknown>;
    if (eph === undefined) delete spec.ephemeralContainers; else spec.ephemeralContainers = eph;
  }
  return next;
}
