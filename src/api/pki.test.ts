import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certSans, DEFAULT_SERVING_SANS, ensurePki, mergeSans, missingSans } from './pki.js';

test('SAN sets merge in order without duplicates; missing ones are found', () => {
  assert.deepEqual(mergeSans({ dns: ['a', 'B'], ips: ['10.0.0.1'] }, { dns: ['b', 'c'], ips: ['10.0.0.1', '10.0.0.2'] }), { dns: ['a', 'b', 'c'], ips: ['10.0.0.1', '10.0.0.2'] });
  assert.deepEqual(missingSans({ dns: ['a'], ips: ['10.0.0.1'] }, { dns: ['A', 'c'], ips: ['10.0.0.1', '10.0.0.9'] }), { dns: ['c'], ips: ['10.0.0.9'] });
  assert.deepEqual(missingSans({ ips: ['0:0:0:0:0:0:0:1'] }, { ips: ['::1'] }).ips, [], 'IPv6 compared in canonical form');
});

test('the serving certificate carries extra SANs next to the defaults, and is reissued (keeping its names) when one is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-pki-'));
  try {
    const first = ensurePki(dir);
    assert.deepEqual(certSans(first.server.cert), DEFAULT_SERVING_SANS);
    assert.equal(ensurePki(dir).server.cert, first.server.cert, 'nothing new asked: reused');
    const extra = { dns: ['kubernetes.default.svc.lab.example'], ips: ['10.10.0.1', '192.168.138.224'] };
    const second = ensurePki(dir, extra);
    assert.notEqual(second.server.cert, first.server.cert, 'reissued');
    assert.equal(second.ca.cert, first.ca.cert, 'same CA');
    const sans = certSans(second.server.cert);
    for (const d of [...DEFAULT_SERVING_SANS.dns, ...extra.dns]) assert.ok(sans.dns.includes(d), d);
    for (const ip of [...DEFAULT_SERVING_SANS.ips, ...extra.ips]) assert.ok(sans.ips.includes(ip), ip);
    const x = new X509Certificate(second.server.cert);
    assert.ok(x.checkIP('192.168.138.224') && x.checkIP('10.10.0.1') && x.checkHost('kubernetes.default.svc'), 'a TLS client accepts those names');
    assert.ok(x.verify(new X509Certificate(second.ca.cert).publicKey), 'signed by the cluster CA');
    assert.equal(ensurePki(dir, { ips: ['10.10.0.1'] }).server.cert, second.server.cert, 'a subset of what it has: reused');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
