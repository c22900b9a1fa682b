import { kindByResource, kindByResourceVersion } from '../kinds/index.js';
import type { KindSemantics } from '../kinds/types.js';

/** A request path resolved to a resource (or a discovery / non-resource path). */
export type Route =
  | { type: 'resource'; kind: KindSemantics; namespace?: string; name?: string; subresource?: string; watchPrefix: boolean }
  | { type: 'discovery'; group: string; version?: string; legacy: boolean }
  | { type: 'unknownResource'; group: string; version: string; resource: string }
  | { type: 'other'; path: string };

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` into a Route:
 * collection `…/<resource>`, item `…/<resource>/<name>`, subresource `…/<name>/<sub>`, each
 * optionally under `namespaces/<ns>/`, and the legacy `…/watch/…` form.
 */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  let group: string, version: string | undefined, rest: string[];
  if (parts[0] === 'api') {
    group = ''; version = parts[1]; rest = parts.slice(2);
    if (!version) return { type: 'discovery', group: '', legacy: true };
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'discovery', group: '', legacy: false };
    group = parts[1]!; version = parts[2]; rest = parts.slice(3);
    if (!version) return { type: 'discovery', group, legacy: false };
  } else {
    return { type: 'other', path: pathname };
  }
  if (!rest.length) return { type: 'discovery', group, version, legacy: group === '' };
  let watchPrefix = false;
  if (rest[0] === 'watch') { watchPrefix = true; rest = rest.slice(1); }
  let namespace: string | undefined;
  // namespaces/<ns>/<resource>… (but namespaces/<name>[/status|/finalize] is the Namespace itself)
  if (group === '' && rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1]; rest = rest.slice(2);
  } else if (group !== '' && rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]; rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length) return { type: 'other', path: pathname };
  const kind = kindByResourceVersion(group, version, resource) ?? kindByResource(group, resource);
  if (!kind || kind.version !== version) return { type: 'unknownResource', group, version, resource };
  return { type: 'resource', kind, namespace, name, subresource, watchPrefix };
}
