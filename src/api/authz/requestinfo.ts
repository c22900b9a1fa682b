/**
 * Request attributes from an HTTP request, as upstream's RequestInfoFactory derives them:
 * `/api/v1/namespaces/NS/pods/NAME/log` → verb get, namespace NS, resource pods, name NAME,
 * subresource log; GET of a collection is `list`, `?watch=true` or `/watch/` is `watch`, DELETE of a
 * collection is `deletecollection`; anything outside /api and /apis is a non-resource request with
 * the lower-cased HTTP method as its verb.
 */

export interface RequestInfo {
  resourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const VERB_OF_METHOD: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
/** Subresources of a Namespace itself (so /namespaces/NS/status is not "status in NS"). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** The name a `metadata.name=X` field selector pins (upstream narrows list/watch to it). */
function nameFromFieldSelector(sel: string | null): string | undefined {
  if (!sel) return undefined;
  for (const term of sel.split(',')) {
    const m = /^\s*metadata\.name\s*(==|=)\s*(.*?)\s*$/.exec(term);
    if (m) return m[2];
  }
  return undefined;
}

export function requestInfo(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, 'https://apiserver');
  const path = url.pathname;
  const nonResource: RequestInfo = {
    resourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '',
  };
  let parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  try { parts = parts.map((p) => decodeURIComponent(p)); } catch { return nonResource; }
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource;
  parts = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (parts.length < 3) return nonResource; // /apis, /apis/GROUP, /apis/GROUP/VERSION (discovery)
    apiGroup = parts[0]!;
    parts = parts.slice(1);
  } else if (parts.length < 2) {
    return nonResource; // /api, /api/v1
  }
  const apiVersion = parts[0]!;
  parts = parts.slice(1);
  let verb = VERB_OF_METHOD[method.toUpperCase()] ?? method.toLowerCase();
  if (parts[0] === 'watch') {
    parts = parts.slice(1);
    if (verb === 'get') verb = 'watch';
  }
  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts.length >= 3 ? parts[2]! : '';
  const q = url.searchParams;
  if (!name && verb === 'get') {
    const watch = q.get('watch');
    verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
    const pinned = nameFromFieldSelector(q.get('fieldSelector'));
    if (pinned !== undefined && pinned !== '' && !pinned.includes('/') && pinned !== '.' && pinned !== '..') name = pinned;
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  return { resourceRequest: true, path, verb, apiPrefix: prefix, apiGroup, apiVersion, namespace, resource, subresource, name };
}
