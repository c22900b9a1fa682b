/**
 * The agent's /metrics (Prometheus text) boiled down to what the web view shows per node: when the
 * proxy last synced its rules and how long syncs take, and the NetworkPolicy table's size and last
 * sync (pure).
 */

export interface Sample { name: string; labels: Record<string, string>; value: number }

/** Samples of a Prometheus text exposition (comments skipped; label values unescaped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const v = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (!Number.isNaN(v)) out.push({ name: m[1]!, labels, value: v });
  }
  return out;
}

export interface NodeSyncMetrics {
  /** Unix seconds of the proxy's last successful sync. */
  proxyLastSync?: number;
  proxySyncs?: number;
  /** Mean sync duration in ms (histogram sum / count). */
  proxySyncMeanMs?: number;
  policyRules?: number;
  policyLastSyncMs?: number;
}

/** The sync figures the view shows, from an agent's samples. */
export function syncMetrics(samples: readonly Sample[]): NodeSyncMetrics {
  const one = (name: string): number | undefined => samples.find((s) => s.name === name)?.value;
  const out: NodeSyncMetrics = {};
  const last = one('kubeproxy_sync_proxy_rules_last_timestamp_seconds');
  if (last !== undefined && last > 0) out.proxyLastSync = last;
  const count = one('kubeproxy_sync_proxy_rules_duration_seconds_count');
  const sum = one('kubeproxy_sync_proxy_rules_duration_seconds_sum');
  if (count !== undefined) out.proxySyncs = count;
  if (count && sum !== undefined) out.proxySyncMeanMs = Math.round((sum / count) * 1e4) / 10;
  const rules = one('podnet_networkpolicy_rules');
  if (rules !== undefined) out.policyRules = rules;
  const pol = one('podnet_networkpolicy_last_sync_seconds');
  if (pol !== undefined) out.policyLastSyncMs = Math.round(pol * 1e4) / 10;
  return out;
}
