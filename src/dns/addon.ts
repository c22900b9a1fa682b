import type { KObject } from '../meta/types.js';

/** Inputs for the cluster DNS add-on, as the lab (or an operator) deploys it. */
export interface DnsAddonOptions {
  serviceIP: string;          // the 10th address of the service range (10.96.0.10; the seed's 10.10.0.10)
  zone: string;               // cluster.local
  podnetBin: string;          // absolute path of bin/podnet on the nodes (pods run host commands via podnet/host)
  kubeconfigPath: string;     // credentials the DNS pods use to reach the API (a unix-socket kubeconfig in the lab)
  upstreams: string[];        // resolvers for names outside the zone (the lab's own upstream, never the host's)
  replicas?: number;
  /** Batched UDP threads per replica (podnet dns --udp-workers); 1 by default, 0 serves UDP from the main thread. */
  udpWorkers?: number;
}

/** The `kube-dns` Service and the `podnet-dns` Deployment in kube-system, labelled k8s-app=kube-dns like CoreDNS's. */
export function dnsAddonManifests(o: DnsAddonOptions): KObject[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const args = [
    'dns', '--kubeconfig', o.kubeconfigPath, '--zone', o.zone, '--dns-ip', o.serviceIP,
    '--listen', '0.0.0.0:53', '--http-listen', '0.0.0.0:8080', '--udp-workers', String(o.udpWorkers ?? 1),
    ...o.upstreams.flatMap((u) => ['--upstream', u]),
  ];
  return [
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { ...labels, 'kubernetes.io/name': 'podnet-dns' } },
      spec: {
        selector: labels, clusterIP: o.serviceIP,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 8080, protocol: 'TCP', targetPort: 8080 },
        ],
      },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'podnet-dns', namespace: 'kube-system', labels },
      spec: {
        replicas: o.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            dnsPolicy: 'Default',
            // it authenticates with its own client certificate (--kubeconfig), not a service-account token
            automountServiceAccountToken: false,
            containers: [{
              name: 'dns', image: 'podnet/host', command: [o.podnetBin], args,
              ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 8080, protocol: 'TCP' }],
              // probed every second until Ready (the kubelet wakes the pod when its probe is due): the lab's
              // `lab up` waits for this pod
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
              livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
            }],
          },
        },
      },
    },
  ];
}
