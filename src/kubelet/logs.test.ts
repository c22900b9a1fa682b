import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, parseLogLine, renderLogs, rfc3339Nano } from './logs.js';
import { greeting } from './images/mysql.js';
import { exitStatus, pickProtocol } from './server.js';

test('CRI log lines round-trip; partial lines join', () => {
  const t = rfc3339Nano(new Date('2024-03-21T23:40:40.674Z'), 628231);
  assert.equal(t, '2024-03-21T23:40:40.674628231Z');
  const line = formatLogLine({ time: t, stream: 'stdout', partial: false, content: 'hello world' });
  assert.equal(line, '2024-03-21T23:40:40.674628231Z stdout F hello world\n');
  assert.deepEqual(parseLogLine(line.trimEnd()), { time: t, stream: 'stdout', partial: false, content: 'hello world' });
  assert.equal(parseLogLine('garbage'), undefined);
  const text = [
    `${t} stdout F one`, `${t} stderr P tw`, `${t} stderr F o`, `${t} stdout F `, `${t} stdout F three`, '',
  ].join('\n');
  assert.equal(renderLogs(text), 'one\ntwo\n\nthree\n');
  assert.equal(renderLogs(text, { tailLines: 2 }), '\nthree\n');
  assert.equal(renderLogs(text, { tailLines: 1, timestamps: true }), `${t} three\n`);
  assert.equal(renderLogs(text, { limitBytes: 5 }), 'one\nt');
});

test('mysql greeting is a HandshakeV10 naming the pod', () => {
  const g = greeting('mysql-demo', 7);
  assert.equal(g.readUIntLE(0, 3), g.length - 4);
  assert.equal(g[3], 0);
  assert.equal(g[4], 10);
  const end = g.indexOf(0, 5);
  assert.equal(g.subarray(5, end).toString(), '5.7.44-podnet-mysql-demo');
  assert.equal(g.readUInt32LE(end + 1), 7);
  assert.ok(g.subarray(g.length - 22).toString().startsWith('mysql_native_password'));
});

test('exec protocol negotiation and exit status', () => {
  assert.equal(pickProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io']), 'v5.channel.k8s.io');
  assert.equal(pickProtocol(['channel.k8s.io']), 'channel.k8s.io');
  assert.equal(pickProtocol(['base64.binary.k8s.io']), false);
  assert.deepEqual(exitStatus(0, null), { metadata: {}, status: 'Success' });
  assert.deepEqual((exitStatus(2, null).details as { causes: unknown[] }).causes, [{ reason: 'ExitCode', message: '2' }]);
});

test('shell quoting for tty exec', async () => {
  const { shellQuote } = await import('./server.js');
  assert.equal(shellQuote('cat'), 'cat');
  assert.equal(shellQuote('/etc/resolv.conf'), '/etc/resolv.conf');
  assert.equal(shellQuote("it's a b"), `'it'\\''s a b'`);
  assert.equal(shellQuote(''), "''");
});
