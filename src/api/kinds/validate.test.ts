import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds, kindByKind, kindByResource, patchAllocatedValues } from './index.js';
import type { FieldError, KObject } from './types.js';

const K = (group: string, kind: string) => kindByKind(group, kind)!;
const svcK = K('', 'Service');
const podK = K('', 'Pod');
const depK = K('apps', 'Deployment');

function obj(apiVersion: string, kind: string, name: string, rest: Record<string, unknown>, ns: string | null = 'default'): KObject {
  return { apiVersion, kind, metadata: ns ? { name, namespace: ns } : { name }, ...rest } as KObject;
}
/** defaults + validate, returning `field: message` strings. */
function check(k = svcK, o: KObject, old?: KObject): string[] {
  k.defaults(o);
  if (old) k.defaults(old);
  return k.validate(o, old).map((e: FieldError) => `${e.field}: ${e.message}`);
}
const svc = (spec: Record<string, unknown>, name = 'web') => obj('v1', 'Service', name, { spec });
const pod = (spec: Record<string, unknown>, name = 'p') => obj('v1', 'Pod', name, { spec });
const has = (errs: string[], re: RegExp) => assert.ok(errs.some((e) => re.test(e)), `expected ${re} in ${JSON.stringify(errs, null, 1)}`);

test('registry: every kind, lookups, short names, categories', () => {
  assert.equal(allKinds.length, 22);
  assert.equal(kindByResource('crd.projectcalico.org', 'ippools'), undefined, 'Calico\'s kinds are CustomResourceDefinitions, not built in');
  assert.equal(kindByResource('apps', 'deployments')?.kind, 'Deployment');
  assert.equal(kindByResource('', 'endpoints')?.kind, 'Endpoints');
  assert.equal(kindByResource('discovery.k8s.io', 'endpointslices')?.singular, 'endpointslice');
  assert.equal(kindByResource('apps', 'pods'), undefined);
  const short = Object.fromEntries(allKinds.map((k) => [k.resource, k.shortNames.join(',')]));
  assert.deepEqual(short, { namespaces: 'ns', nodes: 'no', pods: 'po', services: 'svc', endpoints: 'ep', configmaps: 'cm', events: 'ev', endpointslices: '', deployments: 'deploy', replicasets: 'rs', daemonsets: 'ds', statefulsets: 'sts', jobs: '', poddisruptionbudgets: 'pdb', networkpolicies: 'netpol', leases: '', roles: '', clusterroles: '', rolebindings: '', clusterrolebindings: '', secrets: '', serviceaccounts: 'sa' });
  assert.deepEqual(allKinds.filter((k) => k.categories.includes('all')).map((k) => k.resource).sort(), ['daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'services', 'statefulsets']);
  assert.deepEqual(podK.subresources.slice(0, 4), ['status', 'binding', 'log', 'exec']);
  assert.deepEqual(depK.subresources, ['status', 'scale']);
  assert.equal(K('', 'Namespace').namespaced, false);
  assert.equal(K('', 'Node').namespaced, false);
});

test('metadata: name required, generateName, per-kind name rules, namespace', () => {
  has(check(svcK, obj('v1', 'Service', '', { spec: { ports: [{ port: 80 }] } })), /^metadata.name: Required value: name or generateName is required$/);
  assert.deepEqual(check(svcK, { apiVersion: 'v1', kind: 'Service', metadata: { generateName: 'web-', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } as KObject), []);
  has(check(svcK, svc({ ports: [{ port: 80 }] }, 'Bad_Name')), /^metadata.name: Invalid value: "Bad_Name": a DNS-1035 label must consist/);
  has(check(svcK, svc({ ports: [{ port: 80 }] }, '1web')), /DNS-1035/);
  assert.deepEqual(check(podK, pod({ containers: [{ name: 'c', image: 'i' }] }, 'a.b.c')), []);
  has(check(podK, pod({ containers: [{ name: 'c', image: 'i' }] }, 'A')), /^metadata.name: .*RFC 1123 subdomain/);
  has(check(K('', 'Namespace'), obj('v1', 'Namespace', 'a.b', {}, null)), /^metadata.name: .*RFC 1123 label/);
  has(check(K('', 'Namespace'), obj('v1', 'Namespace', 'x', {}, 'default')), /^metadata.namespace: Forbidden: not allowed on this type/);
  has(check(podK, obj('v1', 'Pod', 'p', { spec: { containers: [{ name: 'c', image: 'i' }] } }, '')), /^metadata.namespace: Required value$/);
  const bad = svc({ ports: [{ port: 80 }] });
  bad.metadata.labels = { 'a/b/c': 'x' };
  bad.metadata.annotations = { ok: 'fine' };
  has(check(svcK, bad), /^metadata.labels: Invalid value: "a\/b\/c"/);
});

test('metadata update: name and uid immutable', () => {
  const old = svc({ ports: [{ port: 80 }] });
  old.metadata.uid = 'u1';
  const n = svc({ ports: [{ port: 80 }] });
  n.metadata.uid = 'u2';
  has(check(svcK, n, old), /^metadata.uid: Invalid value: "u2": field is immutable$/);
});

test('Service defaults', () => {
  const s = svc({ ports: [{ port: 13306 }], selector: { app: 'mysql' } });
  svcK.defaults(s);
  assert.deepEqual(s.spec, {
    ports: [{ port: 13306, protocol: 'TCP', targetPort: 13306 }], selector: { app: 'mysql' }, type: 'ClusterIP', sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
  });
  const np = svc({ type: 'NodePort', ports: [{ port: 1, targetPort: 'http' }], sessionAffinity: 'ClientIP', clusterIP: 'fd00::10' });
  svcK.defaults(np);
  const spec = np.spec as Record<string, unknown>;
  assert.equal(spec.externalTrafficPolicy, 'Cluster');
  assert.deepEqual(spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.deepEqual(spec.clusterIPs, ['fd00::10']);
  assert.deepEqual(spec.ipFamilies, ['IPv6']);
  assert.equal((spec.ports as { targetPort: unknown }[])[0]!.targetPort, 'http');
});

test('Service validation rules', () => {
  assert.deepEqual(check(svcK, svc({ ports: [{ port: 80 }], selector: { app: 'x' } })), []);
  has(check(svcK, svc({})), /^spec.ports: Required value$/);
  assert.deepEqual(check(svcK, svc({ clusterIP: 'None' })), []);
  has(check(svcK, svc({ ports: [{ port: 70000 }] })), /^spec.ports\[0\].port: Invalid value: 70000: must be between 1 and 65535, inclusive$/);
  has(check(svcK, svc({ ports: [{ port: 0 }] })), /^spec.ports\[0\].port: Invalid value: 0: must be between 1 and 65535, inclusive$/);
  has(check(svcK, svc({ ports: [{ port: 80, protocol: 'ICMP' }] })), /^spec.ports\[0\].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"$/);
  has(check(svcK, svc({ ports: [{ port: 80, name: 'a' }, { port: 81 }] })), /^spec.ports\[1\].name: Required value$/);
  has(check(svcK, svc({ ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] })), /^spec.ports\[1\].name: Duplicate value: "a"$/);
  has(check(svcK, svc({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] })), /^spec.ports\[1\]: Duplicate value/);
  assert.deepEqual(check(svcK, svc({ ports: [{ port: 53, name: 'a' }, { port: 53, name: 'b', protocol: 'UDP' }] })), []);
  has(check(svcK, svc({ ports: [{ port: 80, targetPort: 'Bad--Name' }] })), /^spec.ports\[0\].targetPort: Invalid value: "Bad--Name"/);
  has(check(svcK, svc({ ports: [{ port: 80, targetPort: 99999 }] })), /^spec.ports\[0\].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive$/);
  has(check(svcK, svc({ ports: [{ port: 80, nodePort: 30001 }] })), /^spec.ports\[0\].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'$/);
  assert.deepEqual(check(svcK, svc({ type: 'NodePort', ports: [{ port: 23306, targetPort: 3306, nodePort: 30016 }] })), []);
  has(check(svcK, svc({ type: 'NodePort', ports: [{ name: 'a', port: 1, nodePort: 30016 }, { name: 'b', port: 2, nodePort: 30016 }] })), /^spec.ports\[1\].nodePort: Duplicate value: 30016$/);
  has(check(svcK, svc({ type: 'Fancy', ports: [{ port: 1 }] })), /^spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"$/);
  has(check(svcK, svc({ clusterIP: '10.96.0', ports: [{ port: 1 }] })), /^spec.clusterIPs\[0\]: Invalid value: "10.96.0": must be a valid IP address, \(e.g. 10.9.8.7 or 2001:db8::ffff\)$/);
  has(check(svcK, svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 1 }] })), /^spec.clusterIPs\[0\]: Invalid value: "None": may not be set to 'None' for NodePort services$/);
  has(check(svcK, svc({ type: 'ExternalName' })), /^spec.externalName: Required value$/);
  assert.deepEqual(check(svcK, svc({ type: 'ExternalName', externalName: 'db.example.com' })), []);
  has(check(svcK, svc({ type: 'ExternalName', externalName: 'Bad_Host' })), /^spec.externalName: Invalid value: "Bad_Host"/);
  has(check(svcK, svc({ ports: [{ port: 1 }], selector: { 'bad key': 'v' } })), /^spec.selector: Invalid value: "bad key"/);
  has(check(svcK, svc({ ports: [{ port: 1 }], sessionAffinity: 'Sticky' })), /^spec.sessionAffinity: Unsupported value: "Sticky"/);
  has(check(svcK, svc({ ports: [{ port: 1 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 90000 } } })),
    /^spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400$/);
  has(check(svcK, svc({ ports: [{ port: 1 }], externalTrafficPolicy: 'Local' })), /^spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services$/);
  has(check(svcK, svc({ type: 'NodePort', ports: [{ port: 1 }], externalTrafficPolicy: 'Nowhere' })), /^spec.externalTrafficPolicy: Unsupported value/);
  has(check(svcK, svc({ ports: [{ port: 1 }], externalIPs: ['1.2.3'] })), /^spec.externalIPs\[0\]: Invalid value/);
  has(check(svcK, svc({ ports: [{ port: 1, appProtocol: 'a/b/c' }] })), /^spec.ports\[0\].appProtocol: Invalid value: "a\/b\/c"/);
  assert.deepEqual(check(svcK, svc({ ports: [{ port: 1, appProtocol: 'kubernetes.io/h2c' }] })), []);
  has(check(svcK, svc({ type: 'LoadBalancer', ports: [{ port: 1 }], loadBalancerSourceRanges: ['10.0.0.0/33'] })), /^spec.loadBalancerSourceRanges\[0\]: Invalid value/);
  has(check(svcK, svc({ ports: [{ port: 1 }], loadBalancerSourceRanges: ['10.0.0.0/8'] })), /^spec.loadBalancerSourceRanges: Forbidden/);
});

test('Service update: clusterIP immutable, empty keeps', () => {
  const old = svc({ clusterIP: '10.96.0.20', ports: [{ port: 80 }] });
  has(check(svcK, svc({ clusterIP: '10.96.0.21', ports: [{ port: 80 }] }), structuredClone(old)), /^spec.clusterIPs\[0\]: Invalid value: \[\]string\{"10.96.0.21"\}: may not change once set$/);
  assert.deepEqual(check(svcK, svc({ clusterIP: '10.96.0.20', ports: [{ port: 81 }] }), structuredClone(old)), []);
  assert.deepEqual(check(svcK, svc({ ports: [{ port: 81 }] }), structuredClone(old)), []);
});

test('Pod defaults', () => {
  const p = pod({ containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }, { name: 'd', image: 'busybox' }] });
  podK.defaults(p);
  const spec = p.spec as Record<string, unknown>;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual(spec.securityContext, {});
  const cs = spec.containers as Record<string, unknown>[];
  assert.equal(cs[0]!.imagePullPolicy, 'IfNotPresent');
  assert.equal(cs[1]!.imagePullPolicy, 'Always');
  assert.equal(cs[0]!.terminationMessagePath, '/dev/termination-log');
  assert.equal(cs[0]!.terminationMessagePolicy, 'File');
  assert.deepEqual(cs[0]!.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal((p.status as Record<string, unknown>).phase, 'Pending');
});

test('Pod validation rules', () => {
  assert.deepEqual(check(podK, pod({ containers: [{ name: 'c', image: 'i' }] })), []);
  has(check(podK, pod({})), /^spec.containers: Required value$/);
  has(check(podK, pod({ containers: [{ image: 'i' }] })), /^spec.containers\[0\].name: Required value$/);
  has(check(podK, pod({ containers: [{ name: 'Web', image: 'i' }] })), /^spec.containers\[0\].name: Invalid value: "Web": a lowercase RFC 1123 label/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }, { name: 'a', image: 'i' }] })), /^spec.containers\[1\].name: Duplicate value: "a"$/);
  has(check(podK, pod({ containers: [{ name: 'a' }] })), /^spec.containers\[0\].image: Required value$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 70000 }] }] })), /^spec.containers\[0\].ports\[0\].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] })), /^spec.containers\[0\].ports\[0\].protocol: Unsupported value: "HTTP"/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 81, name: 'web' }] }] })), /^spec.containers\[0\].ports\[1\].name: Duplicate value: "web"$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], restartPolicy: 'Sometimes' })), /^spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], dnsPolicy: 'Google' })), /^spec.dnsPolicy: Unsupported value: "Google"/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], dnsPolicy: 'None' })), /^spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], dnsPolicy: 'None', dnsConfig: {} })), /^spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None$/);
  assert.deepEqual(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.10'], searches: ['svc.cluster.local'] } })), []);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i' }], dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } })), /^spec.dnsConfig.nameservers: Invalid value: .*must not have more than 3 nameservers$/);
  has(check(podK, pod({ containers: [{ name: 'a', image: 'i', volumeMounts: [{ name: 'v', mountPath: '/x' }] }] })), /^spec.containers\[0\].volumeMounts\[0\].name: Not found: "v"$/);
  assert.deepEqual(check(podK, pod({ hostNetwork: true, containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 53 }] }] })), []);
  has(check(podK, pod({ hostNetwork: true, containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 53, hostPort: 5353 }] }] })), /^spec.containers\[0\].ports\[0\].containerPort: Invalid value: 53: must match `hostPort` when `hostNetwork` is true$/);
  assert.deepEqual(check(podK, pod({ volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a', image: 'i', volumeMounts: [{ name: 'v', mountPath: '/x' }] }] })), []);
});

test('Pod update: spec immutable except image etc.; nodeName once set', () => {
  const base = () => pod({ containers: [{ name: 'a', image: 'nginx:1' }] });
  assert.deepEqual(check(podK, (() => { const p = base(); (p.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:2'; return p; })(), base()), []);
  has(check(podK, (() => { const p = base(); (p.spec as Record<string, unknown>).restartPolicy = 'Never'; return p; })(), base()), /^spec: Forbidden: pod updates may not change fields other than/);
  const bound = () => { const p = base(); (p.spec as Record<string, unknown>).nodeName = 'node1'; return p; };
  assert.deepEqual(check(podK, bound(), base()), []);
  has(check(podK, (() => { const p = base(); (p.spec as Record<string, unknown>).nodeName = 'node2'; return p; })(), bound()), /^spec.nodeName: Forbidden/);
  const withTol = () => { const p = base(); (p.spec as Record<string, unknown>).tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }]; return p; };
  assert.deepEqual(check(podK, withTol(), base()), []);
  const badSt = base();
  badSt.status = { phase: 'Dancing', podIPs: [{ ip: '10.244.1' }] };
  const errs = check(podK, badSt, base());
  has(errs, /^status.phase: Unsupported value: "Dancing"/);
  has(errs, /^status.podIPs\[0\].ip: Invalid value: "10.244.1"/);
  // status-only change validates
  const st = base();
  st.status = { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], hostIP: '192.168.100.11' };
  assert.deepEqual(check(podK, st, base()), []);
});

const dep = (spec: Record<string, unknown>) => obj('apps/v1', 'Deployment', 'web', { spec });
const tpl = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });

test('Deployment defaults and validation', () => {
  const d = dep({ selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }) });
  depK.defaults(d);
  const spec = d.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal((spec.template as { spec: Record<string, unknown> }).spec.restartPolicy, 'Always');
  assert.deepEqual(depK.validate(d), []);
  has(check(depK, dep({ template: tpl({ app: 'web' }) })), /^spec.selector: Required value$/);
  has(check(depK, dep({ selector: { matchLabels: { app: 'x' } }, template: tpl({ app: 'web' }) })), /^spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"web"\}: `selector` does not match template `labels`$/);
  has(check(depK, dep({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }) })), /^spec.replicas: Invalid value: -1: must be greater than or equal to 0$/);
  has(check(depK, dep({ selector: { matchLabels: {} }, template: tpl({ app: 'web' }) })), /^spec.selector: Invalid value: .*empty selector is invalid for deployment$/);
  has(check(depK, dep({ selector: { matchLabels: { app: 'web' } }, template: { ...tpl({ app: 'web' }), spec: { containers: [{ name: 'a', image: 'i' }], restartPolicy: 'Never' } } })), /^spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"$/);
  has(check(depK, dep({ selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } })), /^spec.template.spec.containers: Required value$/);
  has(check(depK, dep({ selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }), strategy: { type: 'Recreate', rollingUpdate: {} } })), /^spec.strategy.rollingUpdate: Forbidden/);
  has(check(depK, dep({ selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })), /^spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0$/);
  const old = dep({ selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web', v: '1' }) });
  has(check(depK, dep({ selector: { matchLabels: { app: 'web', v: '1' } }, template: tpl({ app: 'web', v: '1' }) }), old), /^spec.selector: Invalid value: .*field is immutable$/);
});

test('ReplicaSet validation', () => {
  const rsK = K('apps', 'ReplicaSet');
  const rs = obj('apps/v1', 'ReplicaSet', 'web-abc', { spec: { selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }) } });
  assert.deepEqual(check(rsK, rs), []);
  assert.equal((rs.spec as Record<string, unknown>).replicas, 1);
  has(check(rsK, obj('apps/v1', 'ReplicaSet', 'x', { spec: { selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'x' }) } })), /`selector` does not match template `labels`/);
});

test('Endpoints and EndpointSlice validation', () => {
  const epK = K('', 'Endpoints');
  assert.deepEqual(check(epK, obj('v1', 'Endpoints', 'web', { subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 3306 }] }] })), []);
  has(check(epK, obj('v1', 'Endpoints', 'web', { subsets: [{ addresses: [{ ip: '10.244.1' }], ports: [{ port: 80 }] }] })), /^subsets\[0\].addresses\[0\].ip: Invalid value: "10.244.1"/);
  has(check(epK, obj('v1', 'Endpoints', 'web', { subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 80 }] }] })), /loopback/);
  has(check(epK, obj('v1', 'Endpoints', 'web', { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0 }] }] })), /^subsets\[0\].ports\[0\].port: Invalid value: 0: must be between 1 and 65535, inclusive$/);
  const esK = K('discovery.k8s.io', 'EndpointSlice');
  const es = (rest: Record<string, unknown>) => obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', rest);
  assert.deepEqual(check(esK, es({ addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }], ports: [{ name: 'mysql', port: 3306 }] })), []);
  has(check(esK, es({ endpoints: [] })), /^addressType: Required value$/);
  has(check(esK, es({ addressType: 'IPv5', endpoints: [] })), /^addressType: Unsupported value: "IPv5"/);
  has(check(esK, es({ addressType: 'IPv4', endpoints: [{ addresses: [] }] })), /^endpoints\[0\].addresses: Required value: must contain at least 1 address$/);
  has(check(esK, es({ addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }] })), /^endpoints\[0\].addresses\[0\]: Invalid value: "fd00::1": must be a valid IPv4 address$/);
  has(check(esK, es({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] })), /^ports\[1\].name: Duplicate value: "a"$/);
  has(check(esK, es({ addressType: 'IPv6', endpoints: [] }), es({ addressType: 'IPv4', endpoints: [] })), /^addressType: Invalid value: "IPv6": field is immutable$/);
});

test('NetworkPolicy defaults and validation', () => {
  const npK = K('networking.k8s.io', 'NetworkPolicy');
  const np = (spec: Record<string, unknown>) => obj('networking.k8s.io/v1', 'NetworkPolicy', 'deny', { spec });
  const ok = np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 53 }] }] });
  assert.deepEqual(check(npK, ok), []);
  assert.deepEqual((ok.spec as Record<string, unknown>).policyTypes, ['Ingress', 'Egress']);
  has(check(npK, np({})), /^spec.podSelector: Required value$/);
  has(check(npK, np({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })), /^spec.ingress\[0\].from\[0\].ipBlock.cidr: Invalid value: "10.0.0.0\/33": must be a valid CIDR value/);
  has(check(npK, np({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['11.0.0.0/24'] } }] }] })), /except\[0\]: Invalid value: "11.0.0.0\/24": must be a strict subset of `cidr`$/);
  has(check(npK, np({ podSelector: {}, ingress: [{ from: [{}] }] })), /^spec.ingress\[0\].from\[0\]: Required value: must specify a peer$/);
  has(check(npK, np({ podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] })), /^spec.ingress\[0\].ports\[0\].port: Invalid value: 70000/);
  has(check(npK, np({ podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 79 }] }] })), /endPort: Invalid value: 79: must be greater than or equal to `port`$/);
  has(check(npK, np({ podSelector: {}, policyTypes: ['Sideways'] })), /^spec.policyTypes\[0\]: Unsupported value: "Sideways"/);
});

test('Node, Namespace, ConfigMap, Event', () => {
  const noK = K('', 'Node');
  assert.deepEqual(check(noK, obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.1.0/24' } }, null)), []);
  has(check(noK, obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.1.0/33' } }, null)), /^spec.podCIDR: Invalid value: "10.244.1.0\/33": must be a valid CIDR value/);
  has(check(noK, obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.2.0/24' } }, null), obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.1.0/24' } }, null)), /^spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid$/);
  assert.deepEqual(check(noK, obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.2.0/24' } }, null), obj('v1', 'Node', 'node1', { spec: {} }, null)), []);
  has(check(noK, obj('v1', 'Node', 'node1', { spec: { taints: [{ key: 'k', effect: 'Never' }] } }, null)), /^spec.taints\[0\].effect: Unsupported value: "Never"/);
  const nsK = K('', 'Namespace');
  const ns = obj('v1', 'Namespace', 'demo', {}, null);
  nsK.defaults(ns);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.equal(ns.metadata.labels!['kubernetes.io/metadata.name'], 'demo');
  assert.deepEqual(nsK.validate(ns), []);
  const cmK = K('', 'ConfigMap');
  assert.deepEqual(check(cmK, obj('v1', 'ConfigMap', 'c', { data: { 'a.conf': 'x', KEY_1: 'y' } })), []);
  has(check(cmK, obj('v1', 'ConfigMap', 'c', { data: { 'a/b': 'x' } })), /^data: Invalid value: "a\/b": a valid config key must consist of/);
  has(check(cmK, obj('v1', 'ConfigMap', 'c', { data: { a: 'x' }, binaryData: { a: 'eA==' } })), /^data: Invalid value: "a": duplicate of key present in binaryData$/);
  const evK = K('', 'Event');
  assert.deepEqual(check(evK, obj('v1', 'Event', 'p.17a', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Scheduled' })), []);
  has(check(evK, obj('v1', 'Event', 'p.17a', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })), /^involvedObject.namespace: Invalid value: "other": does not match event.namespace$/);
});

test('selectable fields', () => {
  const p = pod({ nodeName: 'node1', containers: [{ name: 'a', image: 'i' }] });
  podK.defaults(p);
  (p.status as Record<string, unknown>).podIP = '10.244.1.5';
  const f = podK.selectableFields(p);
  assert.equal(f['metadata.name'], 'p');
  assert.equal(f['metadata.namespace'], 'default');
  assert.equal(f['spec.nodeName'], 'node1');
  assert.equal(f['status.phase'], 'Pending');
  assert.equal(f['status.podIP'], '10.244.1.5');
  assert.equal(f['spec.restartPolicy'], 'Always');
  assert.equal(f['spec.schedulerName'], 'default-scheduler');
  assert.deepEqual(K('', 'Node').selectableFields(obj('v1', 'Node', 'n', { spec: { unschedulable: true } }, null)), { 'metadata.name': 'n', 'metadata.namespace': '', 'spec.unschedulable': 'true' });
  const ev = K('', 'Event').selectableFields(obj('v1', 'Event', 'e', { involvedObject: { kind: 'Pod', name: 'p', uid: 'u' }, reason: 'Killing', type: 'Normal', source: { component: 'kubelet' } }));
  assert.equal(ev['involvedObject.kind'], 'Pod');
  assert.equal(ev['involvedObject.uid'], 'u');
  assert.equal(ev.source, 'kubelet');
  assert.equal(ev.type, 'Normal');
  assert.equal(K('', 'Service').selectableFields(svc({ clusterIP: '10.96.0.1' }))['spec.clusterIP'], '10.96.0.1');
});

test('patchAllocatedValues keeps allocated ClusterIP and nodePorts on replace', () => {
  const old = svc({ type: 'NodePort', clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }, { port: 53, protocol: 'UDP', nodePort: 30053 }] });
  const n = svc({ type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }, { port: 443 }] });
  patchAllocatedValues(n, old);
  const spec = n.spec as { clusterIP: string; clusterIPs: string[]; ports: { nodePort?: number }[] };
  assert.equal(spec.clusterIP, '10.96.0.30');
  assert.deepEqual(spec.clusterIPs, ['10.96.0.30']);
  assert.deepEqual(spec.ports.map((p) => p.nodePort), [30080, 30053, undefined]);
  const toCip = svc({ type: 'ClusterIP', ports: [{ port: 80 }] });
  patchAllocatedValues(toCip, old);
  assert.equal((toCip.spec as { ports: { nodePort?: number }[] }).ports[0]!.nodePort, undefined);
  const toExt = svc({ type: 'ExternalName', externalName: 'a.b.c' });
  patchAllocatedValues(toExt, old);
  assert.equal((toExt.spec as { clusterIP?: string }).clusterIP, undefined);
});

test('Lease validation and table', () => {
  const leK = K('coordination.k8s.io', 'Lease');
  const l = obj('coordination.k8s.io/v1', 'Lease', 'node1', { spec: { holderIdentity: 'node1', leaseDurationSeconds: 40 } }, 'kube-node-lease');
  assert.deepEqual(check(leK, l), []);
  has(check(leK, obj('coordination.k8s.io/v1', 'Lease', 'n', { spec: { leaseDurationSeconds: 0 } })), /^spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0$/);
  const now = new Date();
  l.metadata.creationTimestamp = new Date(now.getTime() - 5000).toISOString();
  assert.deepEqual(leK.table([l], now).rows[0]!.cells, ['node1', 'node1', '5s']);
});

test('PodDisruptionBudget validation and table (printPodDisruptionBudget)', () => {
  const pdbK = K('policy', 'PodDisruptionBudget');
  const b = (spec: Record<string, unknown>) => obj('policy/v1', 'PodDisruptionBudget', 'web', { spec });
  assert.deepEqual(check(pdbK, b({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } })), []);
  has(check(pdbK, b({ minAvailable: 1, maxUnavailable: 1 })), /^spec: Invalid value: .*minAvailable and maxUnavailable cannot be both set$/);
  has(check(pdbK, b({ maxUnavailable: -1 })), /^spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0$/);
  has(check(pdbK, b({ minAvailable: '120%' })), /^spec.minAvailable: Invalid value: "120%": must not be greater than 100%$/);
  has(check(pdbK, b({ unhealthyPodEvictionPolicy: 'Sometimes' })), /^spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes"/);
  const now = new Date();
  const o = b({ minAvailable: 2, selector: {} });
  o.metadata.creationTimestamp = new Date(now.getTime() - 60_000).toISOString();
  o.status = { disruptionsAllowed: 1 };
  assert.deepEqual(pdbK.table([o], now).rows[0]!.cells, ['web', '2', 'N/A', 1, '60s']);
  assert.deepEqual(pdbK.table([o], now).columnDefinitions.map((c) => c.name), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
});

test('defaults are idempotent and produce valid objects for every kind', () => {
  const samples: KObject[] = [
    obj('v1', 'Namespace', 'demo', {}, null),
    obj('v1', 'Node', 'node1', { spec: { podCIDR: '10.244.1.0/24' }, status: { capacity: { cpu: '2' } } }, null),
    pod({ hostNetwork: true, containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 53 }], readinessProbe: { httpGet: { port: 53 } } }], volumes: [{ name: 'v' }] }),
    svc({ type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }),
    obj('v1', 'Endpoints', 'web', { subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }] }),
    obj('v1', 'ConfigMap', 'c', { data: { a: 'b' } }),
    obj('v1', 'Event', 'e', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' } }),
    obj('discovery.k8s.io/v1', 'EndpointSlice', 's', { addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'] }], ports: [{ port: 80 }] }),
    dep({ selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }) }),
    obj('apps/v1', 'ReplicaSet', 'rs', { spec: { selector: { matchLabels: { app: 'web' } }, template: tpl({ app: 'web' }) } }),
    obj('networking.k8s.io/v1', 'NetworkPolicy', 'np', { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } }),
    obj('coordination.k8s.io/v1', 'Lease', 'l', { spec: { holderIdentity: 'x', leaseDurationSeconds: 40 } }),
    obj('apps/v1', 'DaemonSet', 'ds', { spec: { selector: { matchLabels: { app: 'agent' } }, template: tpl({ app: 'agent' }) } }),
    obj('apps/v1', 'StatefulSet', 'db', { spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: tpl({ app: 'db' }) } }),
    { ...obj('batch/v1', 'Job', 'pi', { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'podnet/shell' }] } } } }), metadata: { name: 'pi', namespace: 'default', uid: 'u-1' } },
    obj('policy/v1', 'PodDisruptionBudget', 'pdb', { spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } }),
    obj('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:c', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }, null),
    obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'bot' }] }),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'crb', { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'default' }] }, null),
    obj('v1', 'Secret', 's', { stringData: { password: 'hunter2' } }),
    obj('v1', 'ServiceAccount', 'bot', { imagePullSecrets: [{ name: 'reg' }] }),
  ];
  assert.equal(samples.length, allKinds.length);
  for (const s of samples) {
    const k = kindByKind(s.apiVersion.includes('/') ? s.apiVersion.split('/')[0]! : '', s.kind)!;
    k.defaults(s);
    const once = JSON.stringify(s);
    k.defaults(s);
    assert.equal(JSON.stringify(s), once, `${s.kind} defaults are idempotent`);
    assert.deepEqual(k.validate(s), [], `${s.kind} defaulted sample is valid`);
    assert.deepEqual(k.validate(structuredClone(s), structuredClone(s)), [], `${s.kind} no-op update is valid`);
  }
});

test('pod: HTTP probes and hooks accept only the HTTP and HTTPS schemes (422 as upstream)', () => {
  const c = (extra: Record<string, unknown>) => pod({ containers: [{ name: 'a', image: 'i', ...extra }] });
  const errs = check(podK, c({ readinessProbe: { httpGet: { port: 80, scheme: 'FTP' } } }));
  assert.deepEqual(errs, ['spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']);
  has(check(podK, c({ livenessProbe: { httpGet: { port: 80, scheme: 'file' } } })), /^spec.containers\[0\].livenessProbe.httpGet.scheme: Unsupported value: "file"/);
  has(check(podK, c({ lifecycle: { postStart: { httpGet: { port: 80, scheme: 'GOPHER' } } } })), /^spec.containers\[0\].lifecycle.postStart.httpGet.scheme: Unsupported value/);
  assert.deepEqual(check(podK, c({ readinessProbe: { httpGet: { port: 80, scheme: 'HTTPS' } }, startupProbe: { httpGet: { port: 80 } } })), []);
});

test('RBAC validation and tables', () => {
  const rK = K('rbac.authorization.k8s.io', 'Role');
  const crbK = K('rbac.authorization.k8s.io', 'ClusterRoleBinding');
  const rbK = K('rbac.authorization.k8s.io', 'RoleBinding');
  has(check(rK, obj('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] })), /^rules\[0\].nonResourceURLs: Invalid value: \[\]string\{"\/x"\}: namespaced rules cannot apply to non-resource URLs$/);
  has(check(rK, obj('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ apiGroups: [''], resources: ['pods'] }] })), /^rules\[0\].verbs: Required value: verbs must contain at least one value$/);
  has(check(rK, obj('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ verbs: ['get'], resources: ['pods'] }] })), /^rules\[0\].apiGroups: Required value/);
  const b = obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'b', { roleRef: { kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }, { kind: 'Robot', name: 'r' }] }, null);
  crbK.defaults(b);
  const errs = check(crbK, b);
  has(errs, /^roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"$/);
  has(errs, /^subjects\[0\].namespace: Required value$/);
  has(errs, /^subjects\[1\].kind: Unsupported value: "Robot"/);
  const rb = obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'ns1' }, { kind: 'User', name: 'bob' }] });
  rbK.defaults(rb);
  const moved = structuredClone(rb);
  (moved.roleRef as { name: string }).name = 'edit';
  has(check(rbK, moved, rb), /^roleRef: Invalid value: .*: cannot change roleRef$/);
  const now = new Date();
  rb.metadata.creationTimestamp = new Date(now.getTime() - 7000).toISOString();
  const t = rbK.table([rb], now);
  assert.deepEqual(t.columnDefinitions.map((c) => `${c.name}:${c.priority}`), ['Name:0', 'Role:0', 'Age:0', 'Users:1', 'Groups:1', 'ServiceAccounts:1']);
  assert.deepEqual(t.rows[0]!.cells, ['rb', 'ClusterRole/view', '7s', 'alice, bob', 'devs', 'ns1/bot']);
  const role = obj('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [] });
  role.metadata.creationTimestamp = '2024-01-02T03:04:05Z';
  assert.deepEqual(rK.table([role], now).rows[0]!.cells, ['r', '2024-01-02T03:04:05Z']);
  assert.deepEqual(rK.table([role], now).columnDefinitions.map((c) => `${c.name}:${c.type}`), ['Name:string', 'Created At:date']);
});

test('Service defaulting tolerates spec.ports of the wrong type; validation names the field (fuzz case)', () => {
  for (const ports of [3.5, {}, 'x']) has(check(svcK, svc({ ports, selector: { a: 'b' } })), /^spec\.ports/);
});
