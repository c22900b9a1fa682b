import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from './types.js';
import { applyEphemeralContainers } from './ephemeral.js';

const cur: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'app', image: 'podnet/echo' }] }, status: { phase: 'Running' } };

test('pods/ephemeralcontainers: adds only ephemeral containers; removal, change, ports, duplicate names and unknown targets are refused', () => {
  const dbg = { name: 'debugger-x', image: 'podnet/shell', targetContainerName: 'app', stdin: true, tty: true };
  const ok = applyEphemeralContainers(cur, { ...cur, spec: { containers: [{ name: 'changed', image: 'x' }], ephemeralContainers: [dbg] } });
  assert.deepEqual(ok.errs, []);
  assert.deepEqual((ok.pod.spec as { containers: unknown[] }).containers, [{ name: 'app', image: 'podnet/echo' }], 'only ephemeralContainers change');
  assert.deepEqual((ok.pod.spec as { ephemeralContainers: unknown[] }).ephemeralContainers, [dbg]);
  const removed = applyEphemeralContainers(ok.pod, { ...ok.pod, spec: { ...(ok.pod.spec as object), ephemeralContainers: [] } });
  assert.match(removed.errs.map((e) => e.message).join(), /may not be removed/);
  const changed = applyEphemeralContainers(ok.pod, { ...ok.pod, spec: { ...(ok.pod.spec as object), ephemeralContainers: [{ ...dbg, image: 'busybox' }] } });
  assert.match(changed.errs.map((e) => e.message).join(), /may not be changed/);
  const bad = applyEphemeralContainers(cur, { ...cur, spec: { ephemeralContainers: [{ name: 'app', image: 'busybox', ports: [{ containerPort: 80 }], targetContainerName: 'nope' }, { name: 'y' }] } });
  assert.deepEqual(bad.errs.map((e) => `${e.field} ${e.type}`), [
    'spec.ephemeralContainers[0].name FieldValueDuplicate', 'spec.ephemeralContainers[0].ports FieldValueForbidden',
    'spec.ephemeralContainers[0].targetContainerName FieldValueNotFound', 'spec.ephemeralContainers[1].image FieldValueRequired',
  ]);
});
