/**
 * Upstream's 403 for a request no authorizer allowed (responsewriters.Forbidden +
 * apierrors.NewForbidden): `pods is forbidden: User "alice" cannot list resource "pods" in API
 * group "" in the namespace "default"`, `… at the cluster scope`, `… cannot get path "/foo"`.
 */
import { ApiStatusError } from '../server/status.js';
import type { Attributes } from './types.js';

export function forbiddenMessage(a: Attributes): string {
  const user = a.user.name;
  if (!a.resourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${scope}`;
}

/** apierrors.NewForbidden(group/resource, name, err). */
export function forbiddenError(group: string, resource: string, name: string, err: string): ApiStatusError {
  const gr = resource ? (group ? `${resource}.${group}` : resource) : '';
  const message = !gr ? `forbidden: ${err}` : name ? `${gr} ${JSON.stringify(name)} is forbidden: ${err}` : `${gr} is forbidden: ${err}`;
  return new ApiStatusError(403, 'Forbidden', message, {
    ...(name ? { name } : {}), ...(group ? { group } : {}), ...(resource ? { kind: resource } : {}),
  });
}

/** The 403 for a denied request; `reason` (from the authorizers) is appended after ": ". */
export function forbidden(a: Attributes, reason: string): ApiStatusError {
  const msg = forbiddenMessage(a);
  const err = reason ? `${msg}: ${reason}` : msg;
  return forbiddenError(a.resourceRequest ? a.apiGroup : '', a.resourceRequest ? a.resource : '', a.resourceRequest ? a.name : '', err);
}
