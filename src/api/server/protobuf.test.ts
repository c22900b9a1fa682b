import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './protobuf.js';
import { ApiStatusError } from './status.js';

// A minimal protobuf writer for building test bodies by hand.
const varint = (n: bigint | number): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b); } while (v);
  return Buffer.from(out);
};
const tag = (num: number, wire: number): Buffer => varint((num << 3) | wire);
const str = (num: number, s: string | Buffer): Buffer => { const b = Buffer.isBuffer(s) ? s : Buffer.from(s); return Buffer.concat([tag(num, 2), varint(b.length), b]); };
const msg = (num: number, ...parts: Buffer[]): Buffer => str(num, Buffer.concat(parts));
const int = (num: number, n: number): Buffer => Buffer.concat([tag(num, 0), varint(n)]);
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([PROTOBUF_MAGIC, msg(1, str(1, apiVersion), str(2, kind)), str(2, raw), str(3, ''), str(4, '')]);
const mapEntry = (num: number, k: string, v: string): Buffer => msg(num, str(1, k), str(2, v));

test('a Namespace as kubectl create namespace sends it: zero creationTimestamp is null, empty strings dropped', () => {
  const raw = Buffer.concat([msg(1, str(1, 'team-a'), str(2, ''), str(3, ''), msg(8), mapEntry(11, 'env', 'dev')), msg(2), msg(3, str(1, ''))]);
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Namespace', raw)), {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: 'team-a', creationTimestamp: null, labels: { env: 'dev' } }, spec: {}, status: {},
  });
});

test('a Deployment: pointer zeros kept, IntOrString both ways, inline probe handler, negative int32, status decoded as Go does', () => {
  const container = Buffer.concat([
    str(1, 'web'), str(2, 'podnet/echo'), str(3, 'echo'), str(3, 'hi'),
    msg(6, str(1, ''), int(2, 0), int(3, 8080), str(4, 'TCP')),
    msg(8),
    msg(11, msg(1, msg(3, msg(1, int(1, 0), int(2, 8080)))), int(4, 1)),
    msg(7, str(1, 'A'), str(2, 'b')),
  ]);
  const raw = Buffer.concat([
    msg(1, str(1, 'web'), mapEntry(11, 'app', 'web')),
    msg(2,
      int(1, 0), // replicas: 0 is meaningful
      msg(2, mapEntry(1, 'app', 'web')),
      msg(3, msg(1, mapEntry(11, 'app', 'web')), msg(2, msg(2, container), int(4, -1))),
      msg(4, str(1, 'RollingUpdate'), msg(2, msg(1, int(1, 1), str(3, '25%')), msg(2, int(1, 0), int(2, 0))))),
    msg(3, int(1, 7), int(2, 3)),
  ]);
  const d = decodeProtobufObject(envelope('apps/v1', 'Deployment', raw)) as { spec: Record<string, unknown>; status?: unknown };
  assert.deepEqual(d.status, { observedGeneration: 7, replicas: 3 });
  assert.equal(d.spec.replicas, 0);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } });
  const tpl = d.spec.template as { spec: { containers: unknown[]; terminationGracePeriodSeconds: number } };
  assert.equal(tpl.spec.terminationGracePeriodSeconds, -1);
  assert.deepEqual(tpl.spec.containers[0], {
    name: 'web', image: 'podnet/echo', command: ['echo', 'hi'], ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: {},
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }, env: [{ name: 'A', value: 'b' }],
  });
});

test('a Service: targetPort by name, selector map, clusterIPs repeated', () => {
  const raw = Buffer.concat([msg(1, str(1, 's')), msg(2,
    msg(1, str(1, 'http'), str(2, 'TCP'), int(3, 80), msg(4, int(1, 1), str(3, 'web')), int(5, 0)),
    mapEntry(2, 'app', 'web'), str(3, '10.96.0.20'), str(18, '10.96.0.20'), str(4, 'ClusterIP'))]);
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Service', raw)), {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: { ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' }], selector: { app: 'web' }, clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], type: 'ClusterIP' },
  });
});

test('a timestamp becomes RFC 3339', () => {
  const raw = msg(1, str(1, 'c'), msg(9, int(1, 1_700_000_000)));
  const o = decodeProtobufObject(envelope('v1', 'ConfigMap', raw)) as { metadata: { deletionTimestamp: string } };
  assert.equal(o.metadata.deletionTimestamp, '2023-11-14T22:13:20Z');
});

test('unknown fields are skipped (as the generated Go Unmarshal does); unknown kind 415, truncated 400, no magic 400', () => {
  const status = (f: () => unknown): number => { try { f(); } catch (e) { assert.ok(e instanceof ApiStatusError); return e.httpCode; } return 0; };
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', msg(1, str(1, 'c'), str(99, 'x')))), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  assert.equal(status(() => decodeProtobufObject(envelope('example.com/v1', 'Widget', msg(1, str(1, 'x'))))), 415);
  assert.equal(status(() => decodeProtobufObject(envelope('v1', 'NoSuchKind', msg(1, str(1, 'x'))))), 415);
  const good = envelope('v1', 'ConfigMap', msg(1, str(1, 'abc')));
  for (let n = 5; n < good.length; n++) {
    const code = status(() => decodeProtobufObject(good.subarray(0, n)));
    assert.ok(code === 400 || code === 415 || code === 0, `cut at ${n}: ${code}`);
  }
  assert.equal(status(() => decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}'))), 400);
  assert.equal(status(() => decodeProtobufObject(envelope('v1', 'ConfigMap', msg(1, msg(9, int(1, 2 ** 52)))))), 400, 'timestamp out of range');
});

test('a Pod as kubectl debug --copy-to sends it: projected kube-api-access volume, volumeMounts, hostPath, security contexts', () => {
  const projected = msg(26,
    msg(1, msg(4, int(2, 3607), str(3, 'token'))),
    msg(1, msg(3, msg(1, str(1, 'kube-root-ca.crt')), msg(2, str(1, 'ca.crt'), str(2, 'ca.crt')))),
    msg(1, msg(2, msg(1, str(1, 'namespace'), msg(2, str(1, 'v1'), str(2, 'metadata.namespace'))))),
    int(2, 420));
  const container = Buffer.concat([
    str(1, 'debugger'), str(2, 'podnet/shell'),
    msg(9, str(1, 'kube-api-access-x'), int(2, 1), str(3, '/var/run/secrets/kubernetes.io/serviceaccount')),
    msg(9, str(1, 'host-root'), str(3, '/host')),
    msg(15, int(2, 0), msg(1, str(1, 'NET_ADMIN'))),
  ]);
  const raw = Buffer.concat([
    msg(1, str(1, 'one-copy')),
    msg(2,
      msg(1, str(1, 'kube-api-access-x'), msg(2, projected)),
      msg(1, str(1, 'host-root'), msg(2, msg(1, str(1, '/'), str(2, '')))),
      msg(2, container),
      msg(14)),
  ]);
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', raw)), {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one-copy' },
    spec: {
      volumes: [
        { name: 'kube-api-access-x', projected: { defaultMode: 420, sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ] } },
        { name: 'host-root', hostPath: { path: '/', type: '' } },
      ],
      containers: [{
        name: 'debugger', image: 'podnet/shell',
        volumeMounts: [{ name: 'kube-api-access-x', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }, { name: 'host-root', mountPath: '/host' }],
        securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN'] } },
      }],
      securityContext: {},
    },
  });
});
