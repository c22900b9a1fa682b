import type { Command } from 'commander';
import type { EmbeddedControllers } from '../../controllers/embedded.js';
import { parseDuration } from '../../util/duration.js';
import { PodnetError } from '../../util/errors.js';
import { createLogger } from '../../util/log.js';

/**
 * Registers `podnet apiserver`: the Kubernetes-compatible API server, and the controllers embedded in
 * the same process (started here on a client to the server, stopped before it).
 */
export function register(program: Command): void {
  program.command('apiserver')
    .description('Kubernetes-compatible API server (TLS, SQLite or etcd storage) with the controllers embedded')
    .option('--data-dir <dir>', 'PKI, admin kubeconfig and the SQLite database live here', '/var/lib/podnet/apiserver')
    .option('--listen <host:port>', 'TCP listen address (loopback only)', '127.0.0.1:6443')
    .option('--unix-socket <path>', 'extra listener on a unix socket (reachable from other network namespaces)')
    .option('--storage <spec>', 'sqlite[:PATH] | etcd:URL[,URL…]', 'sqlite')
    .option('--service-cluster-ip-range <cidr>', 'ClusterIP range', '10.96.0.0/12')
    .option('--service-node-port-range <a-b>', 'NodePort range', '30000-32767')
    .option('--cluster-cidr <cidr>', 'pod network, carved into node podCIDRs', '10.244.0.0/16')
    .option('--node-cidr-mask-size <n>', 'prefix length of each node podCIDR', '24')
    .option('--etcd-compaction-interval <duration>', 'automatic compaction period (e.g. 5m, 30s, 0 to disable)', '5m')
    .option('--compaction-retain <n>', 'compaction keeps at least this many newest revisions', '1000')
    .option('--load-balancer-ip-range <range>', 'addresses for Services of type LoadBalancer (A.B.C.D-E.F.G.H or CIDR); none by default')
    .option('--advertise-address <ip>', 'address the cluster reaches this API server at: default/kubernetes endpoints + a serving-certificate SAN')
    .option('--advertise-port <n>', 'port advertised with --advertise-address (default: the --listen port)')
    .option('--kubelet-socket-root <dir>', 'kubelet API sockets must lie under this directory (registered by each node with its own credential)', '/run/podnet')
    .option('--controllers-bind-address <host:port>', 'the embedded controllers\' /healthz and /metrics (kube-controller-manager\'s port is 10257); loopback only, off by default')
    .option('--controllers <list>', 'embedded controllers: comma-separated, "*" for all, "" for none', '*')
    .option('--leader-elect <bool>', 'run the embedded controllers only while holding the kube-system/podnet-controller-manager Lease (several API servers on one etcd: one runs them)', 'true')
    .option('--leader-elect-identity <id>', 'this candidate\'s identity (default: hostname + listen address, stable across restarts, so a restarted server takes its own lease back at once)')
    .option('--leader-elect-lease-duration <duration>', 'how long a lease is valid without renewal', '15s')
    .option('--leader-elect-renew-deadline <duration>', 'a leader that has not renewed for this long stops its controllers', '10s')
    .option('--leader-elect-retry-period <duration>', 'renew / retry interval', '2s')
    .option('--service-allocation <memory|store>', 'where ClusterIP/NodePort allocations live: store = claim keys in the store (safe for several API servers on one etcd; default with etcd), memory = this process (default with sqlite)')
    .option('--service-account-signing-key-file <pem>', 'private key (RSA or ECDSA P-256) that signs service account tokens (default: generated into the data dir)')
    .option('--service-account-key-file <pem>', 'further public or private keys (RSA or ECDSA P-256, PEM) tokens may be verified with; repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--service-account-key-type <rsa|ec>', 'type of the signing key generated into the data dir when none is given: rsa (RS256) or ec (ECDSA P-256, ES256)', 'rsa')
    .action(async (o: { dataDir: string; listen: string; unixSocket?: string; storage: string; serviceClusterIpRange: string; serviceNodePortRange: string; clusterCidr: string; nodeCidrMaskSize: string; controllers: string; loadBalancerIpRange?: string; etcdCompactionInterval: string; compactionRetain: string; advertiseAddress?: string; advertisePort?: string; kubeletSocketRoot: string; controllersBindAddress?: string; serviceAccountSigningKeyFile?: string; serviceAccountKeyFile: string[]; serviceAccountKeyType: string; leaderElect: string; leaderElectIdentity?: string; leaderElectLeaseDuration: string; leaderElectRenewDeadline: string; leaderElectRetryPeriod: string; serviceAllocation?: string }) => {
      const { startApiServer } = await import('../../api/server/index.js');
      const { ALL_CONTROLLERS } = await import('../../controllers/index.js');
      const { startEmbeddedControllers } = await import('../../controllers/embedded.js');
      const mask = Number(o.nodeCidrMaskSize);
      if (!Number.isInteger(mask) || mask < 1 || mask > 32) throw new PodnetError('EFLAG', `--node-cidr-mask-size must be an integer 1-32, not "${o.nodeCidrMaskSize}"`);
      const controllers = o.controllers.trim() === '*' ? [...ALL_CONTROLLERS] : o.controllers.split(',').map((s) => s.trim()).filter(Boolean);
      const compactIntervalMs = parseDuration(o.etcdCompactionInterval, '--etcd-compaction-interval');
      const retain = Number(o.compactionRetain);
      if (!Number.isInteger(retain) || retain < 0) throw new PodnetError('EFLAG', `--compaction-retain must be a non-negative integer`);
      let healthBind: { host: string; port: number } | undefined;
      if (o.controllersBindAddress) {
        const m = /^(127\.0\.0\.1|localhost):(\d+)$/.exec(o.controllersBindAddress);
        if (!m) throw new PodnetError('EFLAG', `--controllers-bind-address must be 127.0.0.1:<port> (loopback only in the root namespace), not "${o.controllersBindAddress}"`);
        healthBind = { host: m[1]!, port: Number(m[2]) };
      }
      if (o.serviceAccountKeyType !== 'rsa' && o.serviceAccountKeyType !== 'ec') throw new PodnetError('EFLAG', `--service-account-key-type must be rsa or ec, not "${o.serviceAccountKeyType}"`);
      const saKeyType: 'rsa' | 'ec' = o.serviceAccountKeyType;
      if (o.leaderElect !== 'true' && o.leaderElect !== 'false') throw new PodnetError('EFLAG', `--leader-elect must be true or false, not "${o.leaderElect}"`);
      if (o.serviceAllocation !== undefined && o.serviceAllocation !== 'memory' && o.serviceAllocation !== 'store') throw new PodnetError('EFLAG', `--service-allocation must be memory or store, not "${o.serviceAllocation}"`);
      const election = {
        leaseDurationMs: parseDuration(o.leaderElectLeaseDuration, '--leader-elect-lease-duration'),
        renewDeadlineMs: parseDuration(o.leaderElectRenewDeadline, '--leader-elect-renew-deadline'),
        retryPeriodMs: parseDuration(o.leaderElectRetryPeriod, '--leader-elect-retry-period'),
      };
      if (!(election.retryPeriodMs > 0 && election.renewDeadlineMs > election.retryPeriodMs && election.leaseDurationMs > election.renewDeadlineMs)) {
        throw new PodnetError('EFLAG', '--leader-elect-lease-duration > --leader-elect-renew-deadline > --leader-elect-retry-period > 0 is required');
      }
      const log = createLogger('apiserver');
      const srv = await startApiServer({
        dataDir: o.dataDir, listen: o.listen, unixSocket: o.unixSocket, storage: o.storage,
        serviceClusterIpRange: o.serviceClusterIpRange, serviceNodePortRange: o.serviceNodePortRange,
        compactIntervalMs, compactMinRetain: retain, kubeletSocketRoot: o.kubeletSocketRoot, log,
        advertiseAddress: o.advertiseAddress, ...(o.advertisePort !== undefined ? { advertisePort: Number(o.advertisePort) } : {}),
        serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile, serviceAccountKeyFiles: o.serviceAccountKeyFile, serviceAccountKeyType: saKeyType,
        ...(o.serviceAllocation ? { serviceAllocation: o.serviceAllocation as 'memory' | 'store' } : {}),
      });
      // The controllers talk to the server like any client, with the admin credentials it issued.
      const api = { server: srv.url, ca: Buffer.from(srv.pki.ca.cert), cert: Buffer.from(srv.pki.admin.cert), key: Buffer.from(srv.pki.admin.key) };
      let ctl: EmbeddedControllers | undefined;
      const startCtl = async (): Promise<void> => {
        ctl = await startEmbeddedControllers(api, {
          clusterCidr: o.clusterCidr, nodeCidrMaskSize: mask, serviceCidr: o.serviceClusterIpRange, controllers,
          loadBalancerPool: o.loadBalancerIpRange, rootCA: srv.pki.ca.cert, log: log.child({ part: 'controllers' }),
        }, healthBind);
      };
      const electionStop = new AbortController();
      let electionDone: Promise<void> = Promise.resolve();
      let electionClient: { close(): void } | undefined;
      try {
        if (controllers.length && o.leaderElect === 'false') await startCtl();
        else if (controllers.length) {
          const { LeaderElector } = await import('../../controllers/leaderelection.js');
          const { createClient } = await import('../../client/http.js');
          const { hostname } = await import('node:os');
          const client = createClient({ userAgent: 'podnet-leader-election', ...api });
          electionClient = client;
          const elector = new LeaderElector(client, { identity: o.leaderElectIdentity ?? `${hostname()}_${new URL(srv.url).host}`, ...election, log: log.child({ part: 'leader-election' }) });
          // Holding (or free to take) the lease now: start the controllers before saying we listen, as without election.
          const leaderNow = await elector.tryAcquireOrRenew().catch(() => false);
          let first!: () => void;
          const started = new Promise<void>((r) => { first = r; });
          electionDone = elector.run(electionStop.signal, {
            onStartedLeading: async () => { try { await startCtl(); } finally { first(); } },
            onStoppedLeading: async () => { const c = ctl; ctl = undefined; await c?.stop(); },
          });
          if (leaderNow) await started;
        }
      } catch (e) {
        electionStop.abort();
        await electionDone.catch(() => undefined);
        electionClient?.close();
        await srv.stop();
        throw e;
      }
      process.stdout.write(`apiserver listening on ${srv.url}${srv.socketPath ? ` and unix://${srv.socketPath}` : ''}\nadmin kubeconfig: ${srv.kubeconfigPath}\n`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      // Controllers first (their last writes still reach the server; the lease is released), then the server.
      electionStop.abort();
      await electionDone.catch(() => undefined);
      electionClient?.close();
      await ctl?.stop();
      await srv.stop();
    });
}
