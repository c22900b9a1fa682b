import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTrace } from './traceview.js';
import type { TraceReport } from './tracetypes.js';

test('renderTrace: a header, kubectl-aligned hop lines, the verdict', () => {
  const r: TraceReport = {
    apiVersion: 'podnet.io/v1', kind: 'Trace', protocol: 'tcp',
    source: { kind: 'pod', name: 'a', namespace: 'default', node: 'node1', ip: '10.244.0.3' },
    destination: { kind: 'svc', name: 'web', namespace: 'default', ip: '10.96.5.5', port: 80 },
    verdict: 'delivered',
    hops: [
      { index: 1, node: 'node1', netns: 'cni-1234', step: 'route', device: 'eth0', detail: '10.96.5.5 via 10.244.0.1 dev eth0' },
      { index: 2, node: 'node1', netns: 'pn-lab-node1', step: 'dnat', detail: 'KUBE-SEP-X: DNAT to 10.244.1.2:8080', table: 'ip nat', chain: 'KUBE-SEP-X', rule: 'dnat to 10.244.1.2:8080' },
      { index: 3, node: 'underlay', netns: 'pn-lab-underlay', step: 'underlay', device: 'underlay', detail: 'eth0 of node1 → bridge underlay → eth0 of node2' },
    ],
  };
  const out = renderTrace(r);
  assert.equal(out, [
    'TCP pod/default/a (10.244.0.3 on node1) → svc/default/web (10.96.5.5:80)',
    '',
    '#   NODE       NETNS             STEP       DEVICE     DETAIL',
    '1   node1      cni-1234          route      eth0       10.96.5.5 via 10.244.0.1 dev eth0',
    '2   node1      pn-lab-node1      dnat                  KUBE-SEP-X: DNAT to 10.244.1.2:8080',
    '3   underlay   pn-lab-underlay   underlay   underlay   eth0 of node1 → bridge underlay → eth0 of node2',
    '',
    'VERDICT: delivered',
    '',
  ].join('\n'));
  assert.match(renderTrace({ ...r, verdict: 'rejected', reason: 'rejected by ip filter KUBE-SERVICES', hops: [] }), /VERDICT: rejected — rejected by ip filter KUBE-SERVICES\n$/);
});
