import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, parseLogLine, renderLogs, rfc3339Nano } from './logs.js';
import { builtinImage, resolveImage, BUSYBOX } from './images/index.js';
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

test('built-in images and the argv they run', () => {
  assert.equal(builtinImage('podnet/echo'), 'podnet/echo');
  assert.equal(builtinImage('docker.io/podnet/mysql:5.7'), 'podnet/mysql');
  assert.equal(builtinImage('nginx'), undefined);
  assert.deepEqual(resolveImage('podnet/shell', ['/bin/sh', '-c', 'echo hi'], undefined), { ok: true, argv: [BUSYBOX, 'sh', '-c', 'echo hi'] });
  assert.deepEqual(resolveImage('podnet/shell', undefined, undefined), { ok: true, argv: [BUSYBOX, 'sleep', 'infinity'] });
  assert.deepEqual(resolveImage('podnet/host', ['python3'], ['-m', 'http.server']), { ok: true, argv: ['python3', '-m', 'http.server'] });
  const echo = resolveImage('podnet/echo', undefined, undefined, '/usr/bin/node');
  assert.ok(echo.ok && echo.argv[0] === '/usr/bin/node' && echo.argv.slice(-2).join(' ') === 'image-run echo');
  assert.deepEqual(resolveImage('busybox', undefined, undefined), { ok: false, reason: 'ErrImagePull', message: 'image "busybox" is not built into podnet (podnet/echo, podnet/mysql, podnet/shell, podnet/host)' });
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
