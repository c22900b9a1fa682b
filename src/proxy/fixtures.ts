import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** The seed-000 example objects (namespace hyjx--hyjx-group3): mysql-demo and mysql-demo2. */
export function seedServices(): Service[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo' },
      spec: { type: 'ClusterIP', clusterIP: '10.10.147.26', ports: [{ name: 'mysqld-demo', port: 13306, targetPort: 3306, protocol: 'TCP' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo2' },
      spec: { type: 'NodePort', clusterIP: '10.10.95.1', ports: [{ name: 'mysqld-demo2', port: 23306, targetPort: 3306, nodePort: 30016, protocol: 'TCP' }] } },
  ];
}
export function seedSlices(): EndpointSlice[] {
  return ['mysql-demo', 'mysql-demo2'].map((svc) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { namespace: 'hyjx--hyjx-group3', name: `${svc}-abcde`, labels: { 'kubernetes.io/service-name': svc } },
    ports: [{ name: svc === 'mysql-demo' ? 'mysqld-demo' : 'mysqld-demo2', port: 3306, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.20.92.11'], conditions: { ready: true }, nodeName: 'k8s-node2' }],
  }));
}
