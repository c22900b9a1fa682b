import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import { createLogger } from '../util/log.js';
import { startControllerManager } from './index.js';
import { MemApi } from './testing/memapi.js';

type K<T> = T & KObject;

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('serviceaccount + root-ca-cert-publisher: every namespace gets default and kube-root-ca.crt, put back when deleted or changed', async () => {
  const api = new MemApi();
  const ac = new AbortController();
  const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  await api.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'before' } });
  const m = await startControllerManager(api, {
    clusterCidr: '10.20.0.0/16', nodeCidrMaskSize: 24, serviceCidr: '10.96.0.0/12', controllers: ['serviceaccount', 'root-ca-cert-publisher'], rootCA: ca,
    log: createLogger('sa-test', process.env.PODNET_LOG_LEVEL ?? 'silent'),
  }, ac.signal);
  try {
    await api.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'after' } });
    for (const ns of ['before', 'after']) {
      await until(`default SA in ${ns}`, () => api.get<K<ServiceAccount>>(R.serviceaccounts(ns), 'default'));
      const cm = await until(`root CA in ${ns}`, () => api.get<K<ConfigMap>>(R.configmaps(ns), 'kube-root-ca.crt'));
      assert.deepEqual(cm.data, { 'ca.crt': ca });
    }
    const uid = (await api.get<K<ServiceAccount>>(R.serviceaccounts('after'), 'default')).metadata.uid;
    await api.delete(R.serviceaccounts('after'), 'default');
    await until('default SA recreated', async () => { const sa = await api.get<K<ServiceAccount>>(R.serviceaccounts('after'), 'default'); return sa.metadata.uid !== uid && sa; });
    const cm = await api.get<K<ConfigMap>>(R.configmaps('after'), 'kube-root-ca.crt');
    await api.update(R.configmaps('after'), { ...cm, data: { 'ca.crt': 'tampered' } });
    await until('CA restored', async () => (await api.get<K<ConfigMap>>(R.configmaps('after'), 'kube-root-ca.crt')).data?.['ca.crt'] === ca);
    await api.delete(R.configmaps('after'), 'kube-root-ca.crt');
    await until('CA republished', () => api.get<K<ConfigMap>>(R.configmaps('after'), 'kube-root-ca.crt'));
  } finally {
    ac.abort();
    await m.done;
  }
});
