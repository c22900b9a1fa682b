import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, checkStructural, prune, validateObject, type JSONSchemaProps } from './schema.js';
import { evalJsonPath, patchMetaOf } from './kinds.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['cron'],
      properties: {
        cron: { type: 'string', pattern: '^\\S+( \\S+){4}$', minLength: 9, maxLength: 40 },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        when: { type: 'string', format: 'date-time' },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' }, proto: { type: 'string', default: 'TCP' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'proto'] },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        size: { 'x-kubernetes-int-or-string': true },
      },
    },
  },
};
const msgs = (o: Record<string, unknown>): string[] => validateObject(o, schema).map((e) => `${e.field}: ${e.message}`);

test('valid objects pass; each violation names its field as kube-apiserver does', () => {
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', replicas: 3, mode: 'Fast', note: null, size: '50%', labels: { a: 'b' } } }), []);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', replicas: 'x' } }), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', replicas: 11 } }), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', replicas: 0 } }), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
  assert.deepEqual(msgs({ spec: {} }), ['spec.cron: Required value']);
  assert.deepEqual(msgs({ spec: { cron: '* * *' } }), ["spec.cron: Invalid value: \"* * *\": spec.cron in body should match '^\\S+( \\S+){4}$'", 'spec.cron: Invalid value: "* * *": spec.cron in body should be at least 9 chars long']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', mode: 'Medium' } }), ['spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', when: 'yesterday' } }), ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', tags: ['a', 'b', 'c'] } }), ['spec.tags: Too many: 3: must have at most 2 items']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', tags: ['a', 'a'] } }), ['spec.tags[1]: Duplicate value: "a"']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', labels: { a: 1 } } }), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
  assert.deepEqual(msgs({ spec: { cron: '* * * * *', size: true } }), ['spec.size: Invalid value: "boolean": spec.size in body must be of type integer,string: "boolean"']);
  assert.deepEqual(msgs({ spec: null }), ['spec: Invalid value: "null": spec in body must be of type object: "null"']);
  assert.equal(msgs({ spec: { cron: 'x'.repeat(50) } }).some((m) => m === 'spec.cron: Too long: may not be longer than 40'), true);
});

test('defaults fill absent fields (in list items too); pruning drops unknown fields except where preserved', () => {
  const o: Record<string, unknown> = { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, junk: 1, spec: { cron: 'c', extra: 2, ports: [{ port: 80 }], free: { any: { thing: 1 } } } };
  assert.deepEqual(prune(o, schema, '', true), ['junk', 'spec.extra']);
  applyDefaults(o, schema);
  assert.deepEqual(o, { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, spec: { cron: 'c', replicas: 1, ports: [{ port: 80, proto: 'TCP' }], free: { any: { thing: 1 } } } });
});

test('structural schema checks, list semantics for apply, printer-column JSONPath', () => {
  assert.deepEqual(checkStructural({ type: 'object', properties: { a: { type: 'array' }, b: {} } }, 's').map((e) => e.field), ['s.properties[a].items', 's.properties[b].type']);
  assert.deepEqual(checkStructural({ type: 'string' }, 's').map((e) => e.field), ['s.type']);
  assert.deepEqual(patchMetaOf(schema), { 'spec.tags': { strategy: 'merge' }, 'spec.ports': { strategy: 'merge', mergeKey: 'port', listMapKeys: ['port', 'proto'] } });
  const o = { spec: { a: [{ b: 'x' }] }, metadata: { labels: { 'k.io/n': 'v' } } };
  assert.equal(evalJsonPath(o, '.spec.a[0].b'), 'x');
  assert.equal(evalJsonPath(o, ".metadata.labels['k.io/n']"), 'v');
  assert.equal(evalJsonPath(o, '{.spec.missing.x}'), undefined);
});
