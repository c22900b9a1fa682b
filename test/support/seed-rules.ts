/** Seed 000's kube-proxy listing for the example cluster, shared by the proxy and lab e2e tests. */
// Seed 000 §三, `iptables-save | grep mysql-demo` on k8s-node1 (kube-proxy of 2016).
export const SEED = [
  '-A KUBE-SEP-6XCC4VJACKOMSYVV -s 10.20.92.11/32 -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo" -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-6XCC4VJACKOMSYVV -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo" -m tcp -j DNAT --to-destination 10.20.92.11:3306',
  '-A KUBE-SERVICES -d 10.10.147.26/32 -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo cluster IP" -m tcp --dport 13306 -j KUBE-SVC-DM5EMDBLORDRGWLL',
  '-A KUBE-SVC-DM5EMDBLORDRGWLL -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo" -j KUBE-SEP-6XCC4VJACKOMSYVV',
  '-A KUBE-NODEPORTS -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -m tcp --dport 30016 -j KUBE-MARK-MASQ',
  '-A KUBE-NODEPORTS -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -m tcp --dport 30016 -j KUBE-SVC-NVNGTMQMPFTQA6YS',
  '-A KUBE-SEP-7MWHP37XXE3W6QI4 -s 10.20.92.11/32 -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-7MWHP37XXE3W6QI4 -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -m tcp -j DNAT --to-destination 10.20.92.11:3306',
  '-A KUBE-SERVICES -d 10.10.95.1/32 -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 cluster IP" -m tcp --dport 23306 -j KUBE-SVC-NVNGTMQMPFTQA6YS',
  '-A KUBE-SVC-NVNGTMQMPFTQA6YS -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -j KUBE-SEP-7MWHP37XXE3W6QI4',
];
// Where modern kube-proxy (and podnet) differ from the 2016 listing, by design:
//  - KUBE-SVC → KUBE-SEP rules carry "ns/svc:port -> ip:port" comments;
//  - node ports jump to KUBE-EXT-<hash>, which marks for masquerade and then jumps to KUBE-SVC-<hash>.
export const MODERN = new Map([
  [SEED[3]!, '-A KUBE-SVC-DM5EMDBLORDRGWLL -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo -> 10.20.92.11:3306" -j KUBE-SEP-6XCC4VJACKOMSYVV'],
  [SEED[4]!, '-A KUBE-EXT-NVNGTMQMPFTQA6YS -m comment --comment "masquerade traffic for hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 external destinations" -j KUBE-MARK-MASQ'],
  [SEED[5]!, '-A KUBE-NODEPORTS -p tcp -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2" -m tcp --dport 30016 -j KUBE-EXT-NVNGTMQMPFTQA6YS'],
  [SEED[9]!, '-A KUBE-SVC-NVNGTMQMPFTQA6YS -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 -> 10.20.92.11:3306" -j KUBE-SEP-7MWHP37XXE3W6QI4'],
]);
