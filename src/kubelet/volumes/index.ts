/**
 * A pod's volumes as the kubelet sets them up: each under `<podDir>/volumes/kubernetes.io~<plugin>/<name>`
 * (emptyDir a dir; hostPath the host path after its type check; configMap, secret, downwardAPI and
 * projected — serviceAccountToken, configMap, secret, downwardAPI sources — written by the atomic
 * writer), then bind-mounted into each container's rootfs per volumeMounts (readOnly honoured,
 * always read-only for the API-backed kinds as upstream; subPath). configMaps and secrets are
 * re-read every `resyncMs`; projected tokens are requested with TokenRequest and renewed at 80% of
 * their lifetime (or after 24 h), as upstream's token manager does.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound, R, type KubeClient } from '../../client/index.js';
import type { Logger } from '../../util/log.js';
import type { ContainerLite, PodLite, VolumeLite } from '../types.js';
import { checkPayloadPath, VolumeError, writePayload, type Payload } from './atomicwriter.js';
import { configMapData, DEFAULT_MODE, downwardPayload, formatMap, keyPayload, secretData } from './sources.js';

export { VolumeError } from './atomicwriter.js';

export interface TokenRequestSpec { audiences: string[]; expirationSeconds: number; boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string } }
export interface TokenResult { token: string; expirationTimestamp: string }

/** What volumes read from the API (a fake in unit tests; `apiVolumeSource` for the real one). */
export interface VolumeApi {
  /** undefined when not found. */
  getConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>;
  getSecret(namespace: string, name: string): Promise<{ data?: Record<string, string>; stringData?: Record<string, string> } | undefined>;
  /** POST …/serviceaccounts/NAME/token (authentication.k8s.io/v1 TokenRequest). */
  requestToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<TokenResult>;
}

/** The VolumeApi over the kubelet's API client (GET configmaps/secrets, POST serviceaccounts/NAME/token). */
export function apiVolumeSource(client: KubeClient): VolumeApi {
  const getOrUndef = async <T>(p: Promise<T>): Promise<T | undefined> => { try { return await p; } catch (e) { if (isNotFound(e)) return undefined; throw e; } };
  return {
    getConfigMap: (ns, name) => getOrUndef(client.get(R.configmaps(ns), name)) as Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>,
    getSecret: (ns, name) => getOrUndef(client.get(R.secrets(ns), name)) as Promise<{ data?: Record<string, string>; stringData?: Record<string, string> } | undefined>,
    requestToken: async (ns, sa, spec) => {
      const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns }, spec };
      const res = await client.create(R.serviceaccounts(ns), body as never, { name: sa, subresource: 'token' }) as unknown as { status?: Partial<TokenResult> };
      if (!res.status?.token) throw new VolumeError(`TokenRequest for serviceaccount ${ns}/${sa} returned no token`);
      return { token: res.status.token, expirationTimestamp: res.status.expirationTimestamp ?? new Date(Date.now() + spec.expirationSeconds * 1000).toISOString() };
    },
  };
}

export interface Bind { source: string; target: string; readOnly?: boolean }

export interface PodVolumesOptions {
  api?: VolumeApi;
  /** The pod's state dir (volumes go under `<dir>/volumes`). */
  podDir: (uid: string) => string;
  /** A downward-API fieldRef's value for the pod (metadata.name, status.podIP, …). */
  fieldValue: (pod: PodLite, path: string) => string;
  /** configMap/secret re-read interval; default 60 s. */
  resyncMs?: number;
  now?: () => number;
  log?: Logger;
}

interface TokenState { refreshAt: number }
interface PodState { syncedAt: number; tokens: Map<string, TokenState> }

const PLUGIN: Record<string, string> = { emptyDir: 'empty-dir', hostPath: 'host-path', configMap: 'configmap', secret: 'secret', downwardAPI: 'downward-api', projected: 'projected' };
const TOKEN_DEFAULT_SECONDS = 3600;
const TOKEN_MAX_AGE_MS = 24 * 3600_000;

function kindOf(v: VolumeLite): keyof typeof PLUGIN | undefined {
  return (['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected'] as const).find((k) => v[k] !== undefined);
}

/** API-backed volumes are mounted read-only whatever volumeMounts say (as upstream since 1.9/1.10). */
function alwaysReadOnly(kind: string): boolean { return kind === 'configMap' || kind === 'secret' || kind === 'downwardAPI' || kind === 'projected'; }

export class PodVolumes {
  private readonly state = new Map<string, PodState>();
  private readonly now: () => number;
  constructor(private readonly o: PodVolumesOptions) { this.now = o.now ?? Date.now; }

  /** Host dir of one volume of the pod (hostPath: the host path). */
  volumeDir(pod: PodLite, v: VolumeLite): string {
    const kind = kindOf(v);
    if (kind === 'hostPath') return v.hostPath!.path;
    return join(this.o.podDir(pod.metadata.uid!), 'volumes', `kubernetes.io~${PLUGIN[kind ?? 'emptyDir']}`, v.name);
  }

  /**
   * Sets up (or refreshes) every volume of the pod: configMaps/secrets when first seen or after
   * resyncMs, tokens when due. Throws VolumeError (upstream's FailedMount message) when one fails.
   */
  async setUp(pod: PodLite): Promise<void> {
    const uid = pod.metadata.uid!;
    let st = this.state.get(uid);
    const first = !st;
    if (!st) { st = { syncedAt: 0, tokens: new Map() }; this.state.set(uid, st); }
    const resync = first || this.now() - st.syncedAt >= (this.o.resyncMs ?? 60_000);
    for (const v of pod.spec.volumes ?? []) {
      try { await this.setUpOne(pod, v, st, resync); } catch (e) {
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${(e as Error).message}`, { cause: e });
      }
    }
    if (resync) st.syncedAt = this.now();
  }

  /** Forget a pod (deleted). */
  forget(uid: string): void { this.state.delete(uid); }

  private async setUpOne(pod: PodLite, v: VolumeLite, st: PodState, resync: boolean): Promise<void> {
    const kind = kindOf(v);
    const ns = pod.metadata.namespace ?? 'default';
    const dir = this.volumeDir(pod, v);
    switch (kind) {
      case undefined: throw new VolumeError('volume type not supported by podnet (emptyDir, hostPath, configMap, secret, downwardAPI, projected)');
      case 'emptyDir': mkdirSync(dir, { recursive: true, mode: 0o777 }); return;
      case 'hostPath': checkHostPath(v.hostPath!.path, v.hostPath!.type ?? ''); return;
      case 'configMap': {
        if (!resync && existsSync(join(dir, '..data'))) return;
        const s = v.configMap!;
        const cm = await this.api().getConfigMap(ns, s.name ?? '');
        if (!cm && !s.optional) throw new VolumeError(`configmap "${s.name}" not found`);
        writePayload(dir, keyPayload(`configmap "${s.name}"`, cm ? configMapData(cm) : {}, s.items, s.defaultMode ?? DEFAULT_MODE, !!s.optional));
        return;
      }
      case 'secret': {
        if (!resync && existsSync(join(dir, '..data'))) return;
        const s = v.secret!;
        const sec = await this.api().getSecret(ns, s.secretName ?? '');
        if (!sec && !s.optional) throw new VolumeError(`secret "${s.secretName}" not found`);
        writePayload(dir, keyPayload(`secret "${s.secretName}"`, sec ? secretData(sec) : {}, s.items, s.defaultMode ?? DEFAULT_MODE, !!s.optional));
        return;
      }
      case 'downwardAPI':
        writePayload(dir, downwardPayload(v.downwardAPI!.items, v.downwardAPI!.defaultMode ?? DEFAULT_MODE, (p) => this.field(pod, p)));
        return;
      case 'projected': {
        const tokenDue = (v.projected!.sources ?? []).some((s, i) => s.serviceAccountToken && this.now() >= (st.tokens.get(`${v.name}/${i}`)?.refreshAt ?? 0));
        if (!resync && !tokenDue && existsSync(join(dir, '..data'))) return;
        writePayload(dir, await this.projected(pod, v, st));
        return;
      }
    }
  }

  private api(): VolumeApi {
    if (!this.o.api) throw new VolumeError('no API access for this volume');
    return this.o.api;
  }

  private field(pod: PodLite, path: string): string {
    if (path === 'metadata.labels') return formatMap(pod.metadata.labels as Record<string, string> | undefined);
    if (path === 'metadata.annotations') return formatMap(pod.metadata.annotations as Record<string, string> | undefined);
    return this.o.fieldValue(pod, path);
  }

  /** The projected volume's payload; tokens are re-requested only when due (else the current file is kept). */
  private async projected(pod: PodLite, v: VolumeLite, st: PodState): Promise<Payload> {
    const p = v.projected!;
    const mode = p.defaultMode ?? DEFAULT_MODE;
    const ns = pod.metadata.namespace ?? 'default';
    const out: Payload = new Map();
    const dir = this.volumeDir(pod, v);
    for (const [i, s] of (p.sources ?? []).entries()) {
      if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        checkPayloadPath(t.path);
        const key = `${v.name}/${i}`;
        const cur = st.tokens.get(key);
        const existing = join(dir, '..data', t.path);
        if (cur && this.now() < cur.refreshAt && existsSync(existing)) {
          out.set(t.path, { data: readFileSync(existing), mode });
          continue;
        }
        const expirationSeconds = t.expirationSeconds ?? TOKEN_DEFAULT_SECONDS;
        const sa = pod.spec.serviceAccountName || 'default';
        const issued = this.now();
        const res = await this.api().requestToken(ns, sa, {
          audiences: t.audience ? [t.audience] : [], expirationSeconds,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name!, uid: pod.metadata.uid! },
        });
        st.tokens.set(key, { refreshAt: tokenRefreshAt(issued, Date.parse(res.expirationTimestamp)) });
        out.set(t.path, { data: Buffer.from(res.token), mode });
        this.o.log?.debug({ pod: `${ns}/${pod.metadata.name}`, volume: v.name, expires: res.expirationTimestamp }, 'service account token written');
      } else if (s.configMap) {
        const cm = await this.api().getConfigMap(ns, s.configMap.name ?? '');
        if (!cm && !s.configMap.optional) throw new VolumeError(`configmap "${s.configMap.name}" not found`);
        keyPayload(`configmap "${s.configMap.name}"`, cm ? configMapData(cm) : {}, s.configMap.items, mode, !!s.configMap.optional, out);
      } else if (s.secret) {
        const sec = await this.api().getSecret(ns, s.secret.name ?? '');
        if (!sec && !s.secret.optional) throw new VolumeError(`secret "${s.secret.name}" not found`);
        keyPayload(`secret "${s.secret.name}"`, sec ? secretData(sec) : {}, s.secret.items, mode, !!s.secret.optional, out);
      } else if (s.downwardAPI) {
        downwardPayload(s.downwardAPI.items, mode, (path) => this.field(pod, path), out);
      }
    }
    return out;
  }

  /** The binds of a container's volumeMounts (after setUp). */
  binds(pod: PodLite, c: ContainerLite): Bind[] {
    const out: Bind[] = [];
    for (const m of c.volumeMounts ?? []) {
      const v = (pod.spec.volumes ?? []).find((x) => x.name === m.name);
      if (!v) throw new VolumeError(`volumeMounts: volume "${m.name}" not found in the pod's volumes`);
      if (!m.mountPath?.startsWith('/')) throw new VolumeError(`volumeMounts[${m.name}].mountPath must be absolute`);
      const kind = kindOf(v)!;
      let source = this.volumeDir(pod, v);
      if (m.subPath) {
        checkPayloadPath(m.subPath);
        source = join(source, m.subPath);
        if (!existsSync(source)) {
          if (alwaysReadOnly(kind)) throw new VolumeError(`subPath ${JSON.stringify(m.subPath)} not found in volume "${m.name}"`);
          mkdirSync(source, { recursive: true, mode: 0o777 });
        }
        // a subPath of an atomically written volume is pinned to the current payload (as upstream: no updates)
        source = realpathSync(source);
      }
      out.push({ source, target: m.mountPath, readOnly: !!m.readOnly || alwaysReadOnly(kind) });
    }
    return out;
  }
}

/** Renew at 80% of the token's lifetime, or after 24 h, whichever comes first (upstream's token manager). */
export function tokenRefreshAt(issuedMs: number, expiresMs: number): number {
  const ttl = Math.max(0, expiresMs - issuedMs);
  return issuedMs + Math.min(ttl * 0.8, TOKEN_MAX_AGE_MS);
}

/** hostPath.type semantics: the checks and the …OrCreate actions. */
export function checkHostPath(path: string, type: string): void {
  if (!path.startsWith('/')) throw new VolumeError(`hostPath.path ${JSON.stringify(path)} must be absolute`);
  const st = (): ReturnType<typeof statSync> | undefined => { try { return statSync(path); } catch { return undefined; } };
  switch (type) {
    case '': return;
    case 'DirectoryOrCreate': if (!st()) mkdirSync(path, { recursive: true, mode: 0o755 }); if (!st()?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`); return;
    case 'Directory': if (!st()?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`); return;
    case 'FileOrCreate': if (!st()) writeFileSync(path, '', { mode: 0o644, flag: 'a' }); if (!st()?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`); return;
    case 'File': if (!st()?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`); return;
    case 'Socket': if (!st()?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`); return;
    case 'CharDevice': if (!st()?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`); return;
    case 'BlockDevice': if (!st()?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`); return;
    default: throw new VolumeError(`hostPath.type ${JSON.stringify(type)} is not supported`);
  }
}
