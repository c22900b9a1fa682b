import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../meta/types.js';
import { PodnetError } from '../util/errors.js';
import { IndexedClusterView } from './view.js';

/** Where DNS records come from. Sources register by name (file, kubernetes). */
export interface RecordSource {
  /** Fills the view, keeps it current until the signal aborts; resolves once the first snapshot is in. */
  start(view: IndexedClusterView, signal: AbortSignal): Promise<void>;
}
export type RecordSourceFactory = (opts: Record<string, string | undefined>) => RecordSource;

const sources = new Map<string, RecordSourceFactory>();
export function registerRecordSource(name: string, f: RecordSourceFactory): void { sources.set(name, f); }
export function recordSource(name: string, opts: Record<string, string | undefined>): RecordSource {
  const f = sources.get(name);
  if (!f) throw new PodnetError('EDNSSOURCE', `unknown DNS record source "${name}" (have: ${[...sources.keys()].join(', ')})`);
  return f(opts);
}

/** Feeds one object into the view by kind. */
export function applyObject(view: IndexedClusterView, o: KObject, deleted = false): void {
  switch (o.kind) {
    case 'Namespace': return deleted ? view.deleteNamespace(o) : view.upsertNamespace(o);
    case 'Service': return deleted ? view.deleteService(o) : view.upsertService(o);
    case 'EndpointSlice': return deleted ? view.deleteEndpointSlice(o) : view.upsertEndpointSlice(o);
    case 'Pod': return deleted ? view.deletePod(o) : view.upsertPod(o);
    default: return undefined;
  }
}

/** Static records from a YAML/JSON manifest file (Namespaces, Services, EndpointSlices, Pods; `List`s too). */
registerRecordSource('file', (opts) => ({
  async start(view) {
    const path = opts.path;
    if (!path) throw new PodnetError('EDNSSOURCE', 'the file record source needs a path (--records-file)');
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const o = doc.toJS() as (KObject & { items?: KObject[] }) | null;
      if (!o) continue;
      for (const item of o.items ?? [o]) applyObject(view, item);
    }
  },
}));
