import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { CniRuntime, type PortMappingArg } from '../../cni/runtime/index.js';
import { PodnetError } from '../../util/errors.js';

interface CniCliOpts {
  confDir: string; binDir: string; cacheDir: string; ifname: string; containerId?: string; nodeNetns?: string;
  podName: string; podNamespace: string; podUid: string; port?: string[];
}

function parsePort(s: string): PortMappingArg {
  const m = /^(\d+):(\d+)(?:\/(tcp|udp|sctp))?$/.exec(s);
  if (!m) throw new PodnetError('EFLAG', `--port must look like HOSTPORT:CONTAINERPORT[/tcp|udp|sctp], not "${s}"`);
  return { hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: (m[3] ?? 'tcp') as PortMappingArg['protocol'] };
}

function runtimeFor(name: string | undefined, o: CniCliOpts): CniRuntime {
  return new CniRuntime({
    confDir: o.confDir, binDirs: o.binDir.split(':').filter(Boolean), cacheDir: o.cacheDir,
    ...(name ? { networkName: name } : {}), ...(o.nodeNetns ? { netns: o.nodeNetns } : {}),
  });
}

function attachment(netns: string, o: CniCliOpts) {
  // cnitool derives the container ID from the netns path the same way
  const containerId = o.containerId ?? `cnitool-${createHash('sha512').update(netns).digest('hex')}`.slice(0, 20);
  return {
    containerId, netnsPath: netns, ifName: o.ifname, podName: o.podName, podNamespace: o.podNamespace, podUid: o.podUid,
    ...(o.port?.length ? { portMappings: o.port.map(parsePort) } : {}),
  };
}

/** Registers `podnet cni add|del|check|status|gc` (a cnitool-like driver of the CNI runtime). Owned by the cni area. */
export function register(program: Command): void {
  const cni = program.command('cni').description('drive CNI plugins like cnitool: add/del/check a network on a netns, status, gc');
  const common = (c: Command) => c
    .option('--conf-dir <dir>', 'network config dir ($NETCONFPATH)', process.env.NETCONFPATH ?? '/etc/cni/net.d')
    .option('--bin-dir <dirs>', 'plugin dirs, colon-separated ($CNI_PATH)', process.env.CNI_PATH ?? '/opt/cni/bin:/usr/lib/cni')
    .option('--cache-dir <dir>', 'libcni cache dir', '/var/lib/cni')
    .option('--ifname <name>', 'interface name in the container ($CNI_IFNAME)', process.env.CNI_IFNAME ?? 'eth0')
    .option('--container-id <id>', 'container ID (default: derived from the netns path, as cnitool)')
    .option('--node-netns <path>', 'run the plugins inside this network namespace (default: the current one)')
    .option('--pod-name <name>', 'K8S_POD_NAME', 'cnitool')
    .option('--pod-namespace <ns>', 'K8S_POD_NAMESPACE', 'default')
    .option('--pod-uid <uid>', 'K8S_POD_UID', '')
    .option('--port <h:c[/proto]>', 'port mapping (repeatable), passed as runtimeConfig.portMappings', (v: string, acc: string[] = []) => [...acc, v]);
  common(cni.command('add <name> <netns>').description('ADD network NAME to the namespace at path NETNS; prints the result'))
    .action(async (name: string, netns: string, o: CniCliOpts) => {
      const r = await runtimeFor(name, o).setUp(attachment(netns, o));
      process.stdout.write(JSON.stringify(r.result, null, 2) + '\n');
    });
  common(cni.command('del <name> <netns>').description('DEL network NAME from NETNS (uses the cached result)'))
    .action(async (name: string, netns: string, o: CniCliOpts) => { await runtimeFor(name, o).tearDown(attachment(netns, o)); });
  common(cni.command('check <name> <netns>').description('CHECK network NAME on NETNS against the cached result'))
    .action(async (name: string, netns: string, o: CniCliOpts) => { await runtimeFor(name, o).check(attachment(netns, o)); process.stdout.write('ok\n'); });
  common(cni.command('status [name]').description('STATUS of the network (spec 1.1)'))
    .action(async (name: string | undefined, o: CniCliOpts) => { await runtimeFor(name, o).status(); process.stdout.write('ready\n'); });
  cni.command('serve').description('run the CNI server the thin clients in bin/cni/fast/ hand their calls to (run it inside the node netns)')
    .option('--socket <path>', 'unix socket', process.env.PODNET_CNI_SOCKET ?? '/run/podnet/cni.sock')
    .action(async (o: { socket: string }) => {
      const { startCniServer } = await import('../../cni/server.js');
      const srv = await startCniServer({ socketPath: o.socket });
      process.stderr.write(`podnet cni server listening on ${srv.socketPath}\n`);
      await new Promise<void>((resolve) => { process.once('SIGTERM', resolve); process.once('SIGINT', resolve); });
      await srv.close();
    });
  common(cni.command('gc [name]').description('GC: delete cached attachments not listed by --valid ID/IFNAME'))
    .option('--valid <id/ifname>', 'a still-valid attachment (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (name: string | undefined, o: CniCliOpts & { valid?: string[] }) => {
      const valid = (o.valid ?? []).map((v) => { const [containerId, ifName] = v.split('/'); return { containerId: containerId!, ifName: ifName ?? 'eth0' }; });
      const r = await runtimeFor(name, o).gc(valid);
      process.stdout.write(JSON.stringify(r) + '\n');
    });
}
