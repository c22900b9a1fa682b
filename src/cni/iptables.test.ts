import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cniChainName, cniComment, splitSavedRule } from './iptables.js';

test('chain names are CNI-[prefix] + sha512 hex, 28 characters', () => {
  const c = cniChainName('cbr0', 'abc');
  assert.equal(c.length, 28);
  assert.match(c, /^CNI-[0-9a-f]{24}$/);
  assert.match(cniChainName('cbr0', 'abc', 'DN-'), /^CNI-DN-[0-9a-f]{21}$/);
  assert.notEqual(cniChainName('cbr0', 'abd'), c);
});

test('saved rules with escaped quotes split back into argv', () => {
  const line = `-A POSTROUTING -s 10.1.0.2/32 -m comment --comment "${cniComment('t', 'abc').replace(/"/g, '\\"')}" -j CNI-x`;
  assert.deepEqual(splitSavedRule(line), ['-A', 'POSTROUTING', '-s', '10.1.0.2/32', '-m', 'comment', '--comment', 'name: "t" id: "abc"', '-j', 'CNI-x']);
});
