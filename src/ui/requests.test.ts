import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureFileName, captureRequest } from './capture.js';
import { checkListen } from './server.js';
import { traceArgv, traceRequest } from './trace.js';

const q = (o: Record<string, string>): URLSearchParams => new URLSearchParams(o);

test('trace requests: names checked, argv for podnet trace', () => {
  const r = traceRequest(q({ src: 'pod/a', dst: 'pod/b:8080', namespace: 'x', proto: 'tcp' }));
  assert.deepEqual(traceArgv(r, { kubeconfig: '/k', lab: 'l1' }), ['trace', '-n', 'x', 'pod/a', 'pod/b:8080', '--proto', 'tcp', '--lab', 'l1', '-o', 'json']);
  assert.deepEqual(traceArgv(traceRequest(q({ src: 'node/node1', dst: '10.96.0.10:53', proto: 'udp' })), { kubeconfig: '/k' }).slice(-3), ['/k', '-o', 'json']);
  assert.throws(() => traceRequest(q({ src: 'pod/a;rm', dst: 'pod/b' })), /src/);
  assert.throws(() => traceRequest(q({ src: 'pod/a', dst: '--help' })), /dst/);
  assert.throws(() => traceRequest(q({ src: 'pod/a', dst: 'pod/b', proto: 'sctp' })), /proto/);
  assert.throws(() => traceRequest(q({ src: 'pod/a', dst: 'pod/b', namespace: 'A B' })), /namespace/);
});

test('capture requests are bounded', () => {
  assert.deepEqual(captureRequest(q({ target: 'node/node1/flannel.1' })), { target: 'node/node1/flannel.1', namespace: 'default', count: 100, seconds: 10, filter: [] });
  assert.deepEqual(captureRequest(q({ target: 'pod/a', count: '5', seconds: '2', filter: 'udp port 8472' })).filter, ['udp', 'port', '8472']);
  assert.throws(() => captureRequest(q({ target: 'underlay', count: '100000' })), /count must be an integer from 1 to 10000/);
  assert.throws(() => captureRequest(q({ target: 'underlay', seconds: '0' })), /seconds/);
  assert.throws(() => captureRequest(q({ target: 'host/eth0' })), /target/);
  assert.throws(() => captureRequest(q({ target: 'underlay', filter: 'icmp`id`' })), /filter/);
  assert.equal(captureFileName('node/node1/flannel.1'), 'node-node1-flannel.1.pcap');
});

test('the view listens on the loopback address only', () => {
  assert.equal(checkListen('127.0.0.1'), '127.0.0.1');
  assert.equal(checkListen('localhost'), '127.0.0.1');
  assert.throws(() => checkListen('0.0.0.0'), /127\.0\.0\.1 only/);
  assert.throws(() => checkListen('192.168.1.5'), /ELISTEN|127\.0\.0\.1 only/);
});
