import { adminKubeconfig, type LabState } from './up.js';

/** What `podnet lab up` prints when the lab is up: how to reach it and what to try first. */
export function upSummary(st: LabState): string {
  const n = st.spec.name;
  const node1 = st.spec.nodes[0]!.name;
  return [
    '',
    `lab "${n}" is up.`,
    `  export KUBECONFIG=${adminKubeconfig(n)}        # or: export KUBECONFIG=$(podnet lab kubeconfig --name ${n})`,
    '  kubectl get nodes -o wide',
    '  kubectl get pods -A -o wide',
    `  podnet lab exec --name ${n} ${node1} -- ip route        # inside a node`,
    `  podnet lab exec --name ${n} client -- ping -c1 ${st.spec.nodes[0]!.ip}   # the external client`,
    `  podnet lab exec --name ${n} master -- ss -tn   # the master: the nodes' router, the API at ${st.spec.master.ip}:${st.spec.master.apiPort}`,
    ...(st.spec.example === 'seed' ? [
      '  kubectl -n hyjx--hyjx-group3 exec wp-mysql -- getent hosts mysql-demo',
      '  kubectl -n hyjx--hyjx-group3 exec wp-mysql -- sh -c "nc -w2 mysql-demo 13306 | head -c 80"',
      `  podnet lab exec --name ${n} k8s-node1 -- iptables-save -t nat | grep mysql-demo`,
      `  podnet lab exec --name ${n} client -- sh -c "nc -w2 192.168.138.222 30016 | head -c 80"`,
    ] : []),
    `  podnet lab status --name ${n}; podnet lab down --name ${n}`,
    '',
  ].join('\n');
}
