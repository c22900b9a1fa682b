/**
 * `podnet crictl`: the runtime's sandboxes and containers in crictl's shapes — `ps` and `pods`
 * tables with its columns, `inspect`/`inspectp` JSON with `.status` and `.info.pid` — so the steps
 * of seed 003 (`crictl ps | grep POD`, `crictl inspect ID | jq .info.pid`) work on a podnet node.
 * Pure over a RuntimeState (runtimestate.ts).
 */
import type { ContainerState, ContainerView, SandboxView } from './runtimestate.js';
import { humanAgo, renderTable } from './table.js';

const short = (id: string): string => id.slice(0, 13);

const STATE_WORD: Record<ContainerState, string> = {
  CONTAINER_CREATED: 'Created', CONTAINER_RUNNING: 'Running', CONTAINER_EXITED: 'Exited', CONTAINER_UNKNOWN: 'Unknown',
};

export interface PsFilter { all?: boolean; name?: string; pod?: string; state?: string }

/** `crictl ps`: running containers unless `all`; `name` is a regular expression, `pod` a sandbox id prefix. */
export function filterContainers(cs: readonly ContainerView[], f: PsFilter): ContainerView[] {
  const re = f.name ? new RegExp(f.name) : undefined;
  return cs.filter((c) => (f.all || f.state ? true : c.state === 'CONTAINER_RUNNING')
    && (!f.state || STATE_WORD[c.state].toLowerCase() === f.state.toLowerCase() || c.state === f.state.toUpperCase())
    && (!re || re.test(c.name))
    && (!f.pod || c.sandbox.id.startsWith(f.pod)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function renderPs(cs: readonly ContainerView[], nowMs: number): string {
  return renderTable(['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD'],
    cs.map((c) => [short(c.id), c.image || '-', humanAgo(Date.parse(c.createdAt), nowMs), STATE_WORD[c.state], c.name, String(c.attempt), short(c.sandbox.id), c.sandbox.name]));
}

export interface PodsFilter { name?: string; namespace?: string; state?: string }

export function filterSandboxes(ss: readonly SandboxView[], f: PodsFilter): SandboxView[] {
  const re = f.name ? new RegExp(f.name) : undefined;
  const ns = f.namespace ? new RegExp(f.namespace) : undefined;
  return ss.filter((s) => (!re || re.test(s.name)) && (!ns || ns.test(s.namespace))
    && (!f.state || s.state === f.state.toUpperCase() || sandboxWord(s).toLowerCase() === f.state.toLowerCase()))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const sandboxWord = (s: SandboxView): string => (s.state === 'SANDBOX_READY' ? 'Ready' : 'NotReady');

export function renderPods(ss: readonly SandboxView[], nowMs: number): string {
  return renderTable(['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'],
    ss.map((s) => [short(s.id), humanAgo(Date.parse(s.createdAt), nowMs), sandboxWord(s), s.name, s.namespace, '0', '(default)']));
}

const podLabels = (s: SandboxView): Record<string, string> => ({
  'io.kubernetes.pod.name': s.name, 'io.kubernetes.pod.namespace': s.namespace, 'io.kubernetes.pod.uid': s.uid,
});

/** `crictl inspect ID`: the CRI ContainerStatus under `.status`, the runtime's facts under `.info` (`.info.pid`). */
export function inspectContainer(c: ContainerView): Record<string, unknown> {
  return {
    status: {
      id: c.id,
      metadata: { attempt: c.attempt, name: c.name },
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt ?? '1970-01-01T00:00:00Z',
      finishedAt: c.finishedAt ?? '1970-01-01T00:00:00Z',
      exitCode: c.exitCode ?? 0,
      image: { image: c.image },
      imageRef: c.image,
      reason: c.reason ?? '',
      message: '',
      labels: { ...podLabels(c.sandbox), 'io.kubernetes.container.name': c.name },
      annotations: {},
      mounts: [],
      logPath: c.logPath,
    },
    info: {
      sandboxID: c.sandbox.id,
      pid: c.pid,
      runtimeType: 'podnet',
      shimPid: c.shimPid,
      runDir: c.runDir,
      netns: c.sandbox.netnsPath,
    },
  };
}

/** `crictl inspectp ID`: the CRI PodSandboxStatus under `.status`, the pause pid and netns under `.info`. */
export function inspectSandbox(s: SandboxView, containers: readonly ContainerView[]): Record<string, unknown> {
  const [ip, ...more] = s.ips;
  return {
    status: {
      id: s.id,
      metadata: { attempt: 0, name: s.name, namespace: s.namespace, uid: s.uid },
      state: s.state,
      createdAt: s.createdAt,
      network: { additionalIps: more.map((x) => ({ ip: x })), ip: ip ?? '' },
      linux: { namespaces: { options: { ipc: 'POD', network: s.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', targetId: '', userNsOptions: null } } },
      labels: podLabels(s),
      annotations: {},
      runtimeHandler: '',
    },
    info: {
      pid: s.pid,
      netnsName: s.netnsName,
      netns: s.netnsPath,
      hostNetwork: s.hostNetwork,
      runtimeType: 'podnet',
      containers: containers.filter((c) => c.sandbox.id === s.id).map((c) => ({ id: c.id, name: c.name, state: c.state, pid: c.pid })),
    },
  };
}
