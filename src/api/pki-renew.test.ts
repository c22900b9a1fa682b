import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certExpiry, ensurePki, expiresWithin, issueClientCert, RENEW_WITHIN_DAYS } from './pki.js';
import { expiryNote, kubeconfigFor } from './kubeconfig.js';

const DAY = 24 * 3600 * 1000;

test('ensurePki renews serving and admin certificates within 30 days of expiry, keeps the CA and fresh ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tpki-'));
  try {
    const first = ensurePki(dir);
    assert.ok(certExpiry(first.server.cert).getTime() - Date.now() > 360 * DAY);
    // fresh certificates are reused
    const again = ensurePki(dir);
    assert.equal(again.server.cert, first.server.cert);
    assert.equal(again.admin.cert, first.admin.cert);
    // certificates about to expire (10 days left) are issued again, by the same CA
    const soon = issueClientCert(dir, 'admin', ['system:masters'], 10);
    assert.ok(expiresWithin(soon.cert, RENEW_WITHIN_DAYS));
    for (const name of ['admin', 'apiserver']) {
      writeFileSync(join(dir, 'pki', `${name}.crt`), soon.cert);
      writeFileSync(join(dir, 'pki', `${name}.key`), soon.key);
    }
    const renewed = ensurePki(dir);
    assert.equal(renewed.ca.cert, first.ca.cert);
    for (const p of [renewed.admin, renewed.server]) {
      assert.notEqual(p.cert, soon.cert);
      assert.ok(!expiresWithin(p.cert, RENEW_WITHIN_DAYS));
    }
    assert.equal(readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), renewed.admin.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('podnet kubeconfig says when the certificate expires', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tpki-'));
  try {
    const k = kubeconfigFor({ dataDir: dir, server: 'https://127.0.0.1:6443' });
    assert.match(k.text, /client-certificate-data/);
    assert.equal(k.expires.getTime(), certExpiry(ensurePki(dir).admin.cert).getTime());
    const now = new Date(k.expires.getTime() - 100.5 * DAY);
    assert.equal(expiryNote(k, now), `the admin client certificate expires ${k.expires.toISOString().replace(/\.\d+Z$/, 'Z')} (in 100 days)`);
    const n = kubeconfigFor({ dataDir: dir, server: 'https://127.0.0.1:6443', user: 'system:node:n1', groups: ['system:nodes'] });
    assert.match(expiryNote(n), /^the client certificate of system:node:n1 expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 36[45] days\)$/);
    assert.match(expiryNote(k, new Date(k.expires.getTime() + DAY)), /expired/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
