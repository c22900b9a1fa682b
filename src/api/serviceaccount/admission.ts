/**
 * ServiceAccount admission for pods (upstream's plugin/pkg/admission/serviceaccount): a pod runs
 * as `spec.serviceAccountName` (default `default`), which must exist (403 otherwise; the `default`
 * one is waited for briefly, since its controller creates it right after the namespace); the
 * service account's imagePullSecrets are copied to a pod that has none; and unless
 * `automountServiceAccountToken` is false (pod first, then service account) every container and
 * init container gets a read-only mount of the projected `kube-api-access-<random>` volume
 * (a bound token, the cluster CA from `kube-root-ca.crt` and the namespace) at
 * /var/run/secrets/kubernetes.io/serviceaccount.
 */
import { randomBytes } from 'node:crypto';
import type { KObject } from '../kinds/types.js';
import { forbiddenError } from '../authz/forbidden.js';
import { asArr, asObj, asStr, isObj } from '../validation/index.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The kubelet refreshes the token well before this; 3607 marks it as the admission's own. */
export const PROJECTED_TOKEN_SECONDS = 3607;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const DEFAULT_SA = 'default';

/** Reads a ServiceAccount (undefined when absent). */
export type ServiceAccountLookup = (namespace: string, name: string) => Promise<KObject | undefined>;

export interface AdmissionOptions {
  /** Attempts for the `default` service account before refusing (upstream: 10). */
  defaultAttempts?: number;
  /** Pause between attempts, ms (upstream: 100–200). */
  retryMs?: number;
  /** The volume name suffix (5 characters), for tests. */
  suffix?: () => string;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** The projected volume upstream's admission adds. */
export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  };
}

/** Mounts the token volume into every container lacking a mount at the token path (mutates `spec`). */
export function mountServiceAccountToken(spec: Record<string, unknown>, suffix: () => string = randomSuffix): void {
  const volumes = asArr(spec.volumes) as Record<string, unknown>[];
  const existing = volumes.find((v) => isObj(v) && asStr(v.name).startsWith(TOKEN_VOLUME_PREFIX));
  const volName = existing ? asStr(existing.name) : `${TOKEN_VOLUME_PREFIX}${suffix()}`;
  let needed = false;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of asArr(list)) {
      if (!isObj(c)) continue;
      const mounts = asArr(c.volumeMounts);
      if (mounts.some((m) => asStr(asObj(m).mountPath) === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name: volName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !existing) spec.volumes = [...volumes, tokenVolume(volName)];
}

/** Should the token be mounted? The pod's field wins over the service account's; default yes. */
export function shouldAutomount(pod: Record<string, unknown>, sa: KObject): boolean {
  if (typeof pod.automountServiceAccountToken === 'boolean') return pod.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Admits a pod create in `namespace` (mutates `pod`); throws the 403 Status when its service account is missing. */
export async function admitPod(namespace: string, pod: KObject, lookup: ServiceAccountLookup, o: AdmissionOptions = {}): Promise<void> {
  if (!isObj(pod.spec)) return; // validation names the missing spec
  if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return;
  const spec = pod.spec;
  const saName = asStr(spec.serviceAccountName) || asStr(spec.serviceAccount) || DEFAULT_SA;
  spec.serviceAccountName = saName;
  const attempts = saName === DEFAULT_SA ? (o.defaultAttempts ?? 10) : 1;
  let sa: KObject | undefined;
  for (let i = 0; i < attempts && !sa; i++) {
    if (i) await sleep(o.retryMs ?? 100 + Math.floor(Math.random() * 100));
    sa = await lookup(namespace, saName);
  }
  if (!sa) {
    throw forbiddenError('', 'pods', pod.metadata?.name ?? '', `error looking up service account ${namespace}/${saName}: serviceaccount ${JSON.stringify(saName)} not found`);
  }
  if (!asArr(spec.imagePullSecrets).length && asArr(sa.imagePullSecrets).length) {
    spec.imagePullSecrets = asArr(sa.imagePullSecrets).map((r) => ({ name: asStr(asObj(r).name) }));
  }
  if (shouldAutomount(spec, sa)) mountServiceAccountToken(spec, o.suffix);
}
