import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podServiceEnv, serviceEnv } from './envvars.js';

const mysql = { metadata: { name: 'mysql-demo', namespace: 'hyjx--hyjx-group3' }, spec: { clusterIP: '10.10.70.20', ports: [{ name: 'mysqld-demo', port: 13306, protocol: 'TCP' }] } };

test('service link variables as the kubelet names them', () => {
  assert.deepEqual(serviceEnv(mysql), {
    MYSQL_DEMO_SERVICE_HOST: '10.10.70.20',
    MYSQL_DEMO_SERVICE_PORT: '13306',
    MYSQL_DEMO_SERVICE_PORT_MYSQLD_DEMO: '13306',
    MYSQL_DEMO_PORT: 'tcp://10.10.70.20:13306',
    MYSQL_DEMO_PORT_13306_TCP: 'tcp://10.10.70.20:13306',
    MYSQL_DEMO_PORT_13306_TCP_PROTO: 'tcp',
    MYSQL_DEMO_PORT_13306_TCP_PORT: '13306',
    MYSQL_DEMO_PORT_13306_TCP_ADDR: '10.10.70.20',
  });
  assert.deepEqual(serviceEnv({ metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }), {});
});

test('pod gets its namespace\'s services (if enabled) and always the kubernetes service', () => {
  const k8s = { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.10.0.1', ports: [{ name: 'https', port: 443 }] } };
  const other = { metadata: { name: 'x', namespace: 'other' }, spec: { clusterIP: '10.10.0.9', ports: [{ port: 80 }] } };
  const env = podServiceEnv([mysql, k8s, other], 'hyjx--hyjx-group3');
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.10.0.1');
  assert.equal(env.MYSQL_DEMO_SERVICE_PORT, '13306');
  assert.equal(env.X_SERVICE_HOST, undefined);
  const off = podServiceEnv([mysql, k8s], 'hyjx--hyjx-group3', false);
  assert.equal(off.MYSQL_DEMO_SERVICE_HOST, undefined);
  assert.equal(off.KUBERNETES_SERVICE_PORT, '443');
});
