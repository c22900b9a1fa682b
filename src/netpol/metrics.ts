/** The agent's NetworkPolicy metrics (registered into the agent's /metrics registry). */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PolicyEnforcer } from './enforcer.js';

export function registerPolicyMetrics(reg: Registry, e: PolicyEnforcer): void {
  new Counter({
    name: 'podnet_networkpolicy_denied_packets_total', help: 'Packets dropped by a pod\'s NetworkPolicy default deny, per pod and direction (policies: those isolating it)',
    labelNames: ['direction', 'namespace', 'pod', 'policies'], registers: [reg],
    async collect() {
      this.reset();
      for (const d of await e.denied()) this.inc({ direction: d.c.direction, namespace: d.c.namespace, pod: d.c.pod, policies: d.c.policies.join(',') }, d.packets);
    },
  });
  new Counter({
    name: 'podnet_networkpolicy_policy_denied_packets_total', help: 'Packets dropped at pods a NetworkPolicy isolates (summed over those pods)',
    labelNames: ['direction', 'namespace', 'policy'], registers: [reg],
    async collect() {
      this.reset();
      for (const d of await e.denied()) {
        for (const p of d.c.policies) { const [namespace, policy] = p.split('/'); this.inc({ direction: d.c.direction, namespace: namespace!, policy: policy! }, d.packets); }
      }
    },
  });
  new Gauge({ name: 'podnet_networkpolicy_rules', help: 'nftables rules of the policy table', registers: [reg], collect() { this.set(e.status.rules); } });
  new Gauge({ name: 'podnet_networkpolicy_chains', help: 'nftables chains of the policy table', registers: [reg], collect() { this.set(e.status.chains); } });
  new Gauge({ name: 'podnet_networkpolicy_last_sync_seconds', help: 'Duration of the last policy sync', registers: [reg], collect() { this.set(e.status.lastSyncMs / 1000); } });
  new Counter({ name: 'podnet_networkpolicy_transactions_total', help: 'nft transactions applied', registers: [reg], collect() { this.reset(); this.inc(e.status.transactions); } });
}
