/**
 * What configMap, secret, downwardAPI and projected volumes contain, as payloads (pure): keys →
 * files with items (key → path, mode), defaultMode (0644 as upstream), optional sources.
 */
import type { DownwardItemLite, KeyToPathLite } from '../types.js';
import { VolumeError, type Payload } from './atomicwriter.js';

export const DEFAULT_MODE = 0o644;

/** The files of a configMap or secret: every key, or the listed items (a missing key fails unless optional). */
export function keyPayload(what: string, data: Record<string, Buffer>, items: KeyToPathLite[] | undefined, mode: number, optional: boolean, out: Payload = new Map()): Payload {
  if (!items || !items.length) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode });
    return out;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(`${what}: key ${JSON.stringify(it.key)} not found`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
  return out;
}

/** configMap data + binaryData as bytes. */
export function configMapData(cm: { data?: Record<string, string>; binaryData?: Record<string, string> }): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

/** Secret data (base64) + stringData as bytes. */
export function secretData(s: { data?: Record<string, string>; stringData?: Record<string, string> }): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v);
  return out;
}

/** downwardAPI items: fieldRef values (labels/annotations as key="value" lines, like upstream) and resourceFieldRef. */
export function downwardPayload(items: DownwardItemLite[] | undefined, mode: number, field: (path: string) => string, out: Payload = new Map()): Payload {
  for (const it of items ?? []) {
    let v: string;
    if (it.fieldRef) v = field(it.fieldRef.fieldPath);
    else if (it.resourceFieldRef) v = resourceValue(it.resourceFieldRef.resource);
    else throw new VolumeError(`downwardAPI item ${JSON.stringify(it.path)} has neither fieldRef nor resourceFieldRef`);
    out.set(it.path, { data: Buffer.from(v), mode: it.mode ?? mode });
  }
  return out;
}

/** Without resource limits, upstream reports the node's allocatable: we report the machine's. */
function resourceValue(resource: string): string {
  switch (resource) {
    case 'limits.cpu': case 'requests.cpu': return '1';
    case 'limits.memory': case 'requests.memory': return '0';
    default: return '0';
  }
}

/** labels/annotations as upstream's downward API writes them: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}
