/**
 * The pinned Kubernetes protobuf schema: upstream's generated.proto files stored under
 * third_party/kubernetes-proto/ (see its README for the release), loaded once with protobufjs, plus
 * the Go conventions derived from the same release (go-conventions.json). Maps an
 * apiVersion + kind to the message that encodes it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PodnetError } from '../../util/errors.js';
import type { GoConventions, MessageConvention } from './conventions.js';

/** The stored tree, found from the source module or from its compiled copy under dist/. */
const DIR_CANDIDATES = [
  new URL('../../../third_party/kubernetes-proto', import.meta.url),
  new URL('../../../../third_party/kubernetes-proto', import.meta.url),
].map((u) => fileURLToPath(u));

export class KubernetesProtoMissingError extends PodnetError {
  constructor() { super('EK8SPROTO', `protobuf: third_party/kubernetes-proto not found (looked in ${DIR_CANDIDATES.join(', ')})`); }
}

export const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';
const APIEXTENSIONS_V1 = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

export interface KubernetesProto {
  root: protobuf.Root;
  conventions: GoConventions;
  /** Where the .proto files were loaded from. */
  dir: string;
}

let loaded: KubernetesProto | undefined;

function protoFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...protoFiles(p, base));
    else if (name.endsWith('.proto')) out.push(relative(base, p));
  }
  return out;
}

/** The directory of the stored schema. */
export function kubernetesProtoDir(): string {
  const dir = DIR_CANDIDATES.find((d) => existsSync(join(d, 'go-conventions.json')));
  if (!dir) throw new KubernetesProtoMissingError();
  return dir;
}

/** Loads (once) every stored generated.proto with its imports resolved inside the stored tree. */
export function kubernetesProto(): KubernetesProto {
  if (loaded) return loaded;
  const dir = kubernetesProtoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => join(dir, target);
  root.loadSync(protoFiles(dir), { keepCase: true });
  root.resolveAll();
  const conventions = JSON.parse(readFileSync(join(dir, 'go-conventions.json'), 'utf8')) as GoConventions;
  loaded = { root, conventions, dir };
  return loaded;
}

/** The conventions of a message (by its full name without the leading dot). */
export function conventionOf(type: protobuf.Type): MessageConvention | undefined {
  return kubernetesProto().conventions[type.fullName.slice(1)];
}

/** The proto package of an API group version: '' v1 → k8s.io.api.core.v1, apps/v1 → k8s.io.api.apps.v1, … */
function packageOf(group: string, version: string): string {
  if (group === 'meta.k8s.io') return META_V1.replace(/v1$/, version);
  if (group === 'apiextensions.k8s.io') return APIEXTENSIONS_V1.replace(/v1$/, version);
  if (group !== '' && !group.endsWith('.k8s.io') && group.includes('.')) return ''; // custom resources: no schema
  const name = group === '' ? 'core' : group.split('.')[0]!;
  return `k8s.io.api.${name}.${version}`;
}

/** Kinds every group version serves from meta/v1 (metav1.AddToGroupVersion). */
const META_KINDS = new Set(['DeleteOptions', 'Status', 'WatchEvent', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

/** The message of apiVersion + kind in the pinned schema, or undefined when it has none (e.g. custom resources). */
export function messageFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const key = `${apiVersion}/${kind}`;
  if (byKind.has(key)) return byKind.get(key);
  const found = lookupMessage(apiVersion, kind);
  if (byKind.size < 10_000) byKind.set(key, found);
  return found;
}

const byKind = new Map<string, protobuf.Type | undefined>();

function lookupMessage(apiVersion: string, kind: string): protobuf.Type | undefined {
  if (!/^[A-Za-z]\w*$/.test(kind)) return undefined;
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = META_KINDS.has(kind) ? META_V1 : packageOf(group, version);
  if (!pkg) return undefined;
  const found = kubernetesProto().root.lookup(`${pkg}.${kind}`);
  return found instanceof protobuf.Type ? found : undefined;
}
