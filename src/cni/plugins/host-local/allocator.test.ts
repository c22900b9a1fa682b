import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFree } from './allocator.js';
import { canonicalRange, loadHostLocalConf } from './config.js';
import { formatIP, tryParseIP } from '../../../util/addr.js';
import { CniError } from '../../types.js';

test('ranges default like upstream: .1 gateway, .1–.254 for a /24, whole /30 is .1–.2', () => {
  const r = canonicalRange({ subnet: '10.1.2.0/24' }, 'r');
  assert.deepEqual([formatIP(r.start), formatIP(r.end), formatIP(r.gateway!)], ['10.1.2.1', '10.1.2.254', '10.1.2.1']);
  const s = canonicalRange({ subnet: '10.1.0.0/30' }, 'r');
  assert.deepEqual([formatIP(s.start), formatIP(s.end)], ['10.1.0.1', '10.1.0.2']);
});

test('round-robin after the last reserved IP, skipping the gateway and taken IPs, wrapping', () => {
  const set = [canonicalRange({ subnet: '10.1.2.0/29' }, 'r')]; // .1-.6, gw .1
  const pick = (taken: string[], last?: string) => { const n = nextFree(set, new Set(taken), last); return n && formatIP(n.ip); };
  assert.equal(pick([]), '10.1.2.2');
  assert.equal(pick([], '10.1.2.2'), '10.1.2.3');
  assert.equal(pick(['10.1.2.3'], '10.1.2.2'), '10.1.2.4');
  assert.equal(pick([], '10.1.2.6'), '10.1.2.2', 'wraps past the end and skips the gateway');
  assert.equal(pick(['10.1.2.2', '10.1.2.3', '10.1.2.4', '10.1.2.5', '10.1.2.6']), undefined);
});

test('multi-range sets continue into the next range; IPv6 works', () => {
  const set = [canonicalRange({ subnet: '10.1.0.0/30' }, 'a'), canonicalRange({ subnet: '10.2.0.0/30' }, 'b')];
  const n = nextFree(set, new Set(['10.1.0.2']));
  assert.equal(n && formatIP(n.ip), '10.2.0.2');
  const v6 = [canonicalRange({ subnet: 'fd00:1::/120', rangeStart: 'fd00:1::10' }, 'c')];
  const m = nextFree(v6, new Set());
  assert.equal(m && formatIP(m.ip), 'fd00:1::10');
  assert.equal(formatIP(tryParseIP('fd00:0:0:1::1')!), 'fd00:0:0:1::1');
});

test('config errors are code 7 naming the field', () => {
  const bad = (ipam: Record<string, unknown>, re: RegExp) => assert.throws(() => loadHostLocalConf({ cniVersion: '1.0.0', name: 'n', type: 'x', ipam: { type: 'host-local', ...ipam } }), (e: unknown) => e instanceof CniError && e.cniCode === 7 && re.test(e.message));
  bad({}, /no IP ranges/);
  bad({ ranges: [[{ subnet: '10.0.0.0/33' }]] }, /ranges\[0\]\[0\]\.subnet: invalid CIDR/);
  bad({ ranges: [[{ subnet: '10.0.0.0/31' }]] }, /too small/);
  bad({ ranges: [[{ subnet: '10.0.0.0/24', gateway: '10.9.9.9' }]] }, /gateway.*not in network/);
  bad({ ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/25' }]] }, /overlaps/);
  bad({ subnet: '10.0.0.0/24', routes: [{ dst: 'x' }] }, /routes\[0\]\.dst/);
});
