/** `podnet crictl`: one node's runtime state (runtimestate.ts) printed as crictl prints it (crictl.ts). */
import { filterContainers, filterSandboxes, inspectContainer, inspectSandbox, renderPods, renderPs, type PodsFilter, type PsFilter } from './crictl.js';
import { locateNode, type Where } from './locate.js';
import { RuntimeState } from './runtimestate.js';
import type { OutputFormat } from './table.js';

export interface CrictlListOptions { output: OutputFormat; quiet?: boolean }

function stateOf(w: Where): RuntimeState { return new RuntimeState(locateNode(w).paths.kubeletDir); }

/** `crictl ps`: a table, `-q` ids, or `-o json` ({containers: [...]}, as crictl's). */
export function crictlPs(w: Where, f: PsFilter, o: CrictlListOptions, nowMs = Date.now()): string {
  const cs = filterContainers(stateOf(w).containers, f);
  if (o.quiet) return cs.map((c) => `${c.id}\n`).join('');
  if (o.output === 'json') return JSON.stringify({ containers: cs.map((c) => inspectContainer(c).status) }, null, 2) + '\n';
  return renderPs(cs, nowMs);
}

/** `crictl pods`. */
export function crictlPods(w: Where, f: PodsFilter, o: CrictlListOptions, nowMs = Date.now()): string {
  const st = stateOf(w);
  const ss = filterSandboxes(st.sandboxes, f);
  if (o.quiet) return ss.map((s) => `${s.id}\n`).join('');
  if (o.output === 'json') return JSON.stringify({ items: ss.map((s) => inspectSandbox(s, st.containers).status) }, null, 2) + '\n';
  return renderPods(ss, nowMs);
}

/** `crictl inspect ID…` (one JSON document per id, as crictl prints them). */
export function crictlInspect(w: Where, ids: readonly string[]): string {
  const st = stateOf(w);
  return ids.map((id) => JSON.stringify(inspectContainer(st.container(id)), null, 2) + '\n').join('');
}

/** `crictl inspectp ID…`. */
export function crictlInspectp(w: Where, ids: readonly string[]): string {
  const st = stateOf(w);
  return ids.map((id) => JSON.stringify(inspectSandbox(st.sandbox(id), st.containers), null, 2) + '\n').join('');
}
