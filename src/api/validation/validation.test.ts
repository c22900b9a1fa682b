import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelSelector, formatLabels, invalidMessage, isConfigMapKey, isDNS1035Label, isDNS1123Label,
  isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidLabelValue, isValidPortName, notSupported,
  parseCIDR, selectorMatches, validateLabelSelector, validateLabels,
} from './index.js';
import { containsCidr } from '../../util/addr.js';

test('DNS-1123 label / subdomain / DNS-1035 label', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.equal(isDNS1123Label('Bad_Name').length, 1);
  assert.match(isDNS1123Label('-a')[0]!, /lowercase RFC 1123 label/);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)).slice(0, 1), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.match(isDNS1123Subdomain('a..b')[0]!, /RFC 1123 subdomain/);
  assert.equal(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
  assert.deepEqual(isDNS1035Label('abc-123'), []);
  assert.match(isDNS1035Label('1abc')[0]!, /DNS-1035 label .* start with an alphabetic character/);
});

test('qualified names and label values', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/My_Name'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('Bad.Prefix/x')[0]!, /^prefix part a lowercase RFC 1123 subdomain/);
  assert.match(isQualifiedName('a/b/c')[0]!, /with an optional DNS subdomain prefix/);
  assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty']);
  assert.equal(isQualifiedName('a'.repeat(64))[0], 'name part must be no more than 63 characters');
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_x'), []);
  assert.match(isValidLabelValue('-x')[0]!, /a valid label must be an empty string/);
});

test('IANA port names and config map keys', () => {
  assert.deepEqual(isValidPortName('http'), []);
  assert.ok(isValidPortName('123').includes('must contain at least one letter (a-z)'));
  assert.ok(isValidPortName('a--b').includes('must not contain consecutive hyphens'));
  assert.ok(isValidPortName('a'.repeat(16)).includes('must be no more than 15 characters'));
  assert.ok(isValidPortName('HTTP').includes('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
  assert.deepEqual(isConfigMapKey('key.name'), []);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.match(isConfigMapKey('a/b')[0]!, /a valid config key/);
});

test('IPs and CIDRs', () => {
  assert.ok(isValidIP('10.96.0.1'));
  assert.ok(isValidIP('fd00::1'));
  assert.ok(!isValidIP('10.96.0'));
  assert.ok(!isValidIP('010.1.1.1'));
  assert.ok(isValidCIDR('10.244.0.0/16'));
  assert.ok(isValidCIDR('fd00:10:244::/64'));
  assert.ok(!isValidCIDR('10.244.0.0/33'));
  assert.ok(!isValidCIDR('10.244.0.0'));
  assert.ok(containsCidr(parseCIDR('10.0.0.0/8')!, parseCIDR('10.1.0.0/16')!));
  assert.ok(!containsCidr(parseCIDR('10.0.0.0/8')!, parseCIDR('11.0.0.0/16')!));
  assert.ok(containsCidr(parseCIDR('fd00::/48')!, parseCIDR('fd00:0:0:1::/64')!));
});

test('labels and selectors', () => {
  assert.deepEqual(validateLabels({ app: 'web' }, 'metadata.labels'), []);
  const e = validateLabels({ 'bad key!': 'v', ok: '-bad' }, 'metadata.labels');
  assert.equal(e.length, 2);
  assert.equal(e[0]!.field, 'metadata.labels');
  assert.match(e[0]!.message, /^Invalid value: "bad key!": name part must consist of/);
  const se = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Foo' }] }, 'spec.selector');
  assert.deepEqual(se.map((x) => x.field), ['spec.selector.matchExpressions[0].values', 'spec.selector.matchExpressions[1].values', 'spec.selector.matchExpressions[2].operator']);
  assert.equal(se[2]!.message, 'Unsupported value: "Foo": supported values: "DoesNotExist", "Exists", "In", "NotIn"');
  assert.ok(selectorMatches({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, { app: 'a', tier: 'fe' }));
  assert.ok(!selectorMatches({ matchLabels: { app: 'a' } }, { app: 'b' }));
  assert.ok(selectorMatches({}, {}));
  assert.ok(!selectorMatches(undefined, {}));
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] }), 'a=1,b=2,c in (x,y),!d');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabels({ z: '1', a: '2' }), 'a=2,z=1');
  assert.equal(formatLabels({}), '<none>');
});

test('error bodies and the Invalid status message', () => {
  assert.equal(notSupported('spec.type', 'Foo', ['ClusterIP', 'NodePort']).message, 'Unsupported value: "Foo": supported values: "ClusterIP", "NodePort"');
  const errs = [{ type: 'FieldValueInvalid' as const, field: 'spec.ports[0].port', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive' }];
  assert.equal(invalidMessage('Service', 'web', errs), 'Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.match(invalidMessage('Service', 'web', [...errs, { type: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' }]), /is invalid: \[spec.ports\[0\].port: .*, spec.selector: Required value\]$/);
});
