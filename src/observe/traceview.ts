/** `podnet trace`'s human form (pure): a header, one aligned line per hop (#, NODE, NETNS, STEP, DEVICE, DETAIL), the verdict. */
import { renderTable } from './table.js';
import type { TraceReport } from './tracetypes.js';

function end(r: TraceReport['source'] | TraceReport['destination'], port?: number): string {
  const name = r.kind === 'ip' ? r.ip : `${r.kind}/${r.namespace && r.kind !== 'node' ? `${r.namespace}/` : ''}${r.name ?? ''}`;
  return `${name} (${r.ip}${port ? `:${port}` : ''}${'node' in r && r.node && r.kind !== 'node' ? ` on ${r.node}` : ''})`;
}

export function renderTrace(r: TraceReport): string {
  const head = `${r.protocol.toUpperCase()} ${end(r.source)} → ${end(r.destination, r.destination.port)}\n\n`;
  const rows = r.hops.map((h) => [String(h.index), h.node, h.netns, h.step, h.device ?? '', h.detail]);
  const tail = `\nVERDICT: ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}\n`;
  return head + renderTable(['#', 'NODE', 'NETNS', 'STEP', 'DEVICE', 'DETAIL'], rows) + tail;
}
