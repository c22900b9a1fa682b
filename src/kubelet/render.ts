/** Pure rendering of a pod's /etc/resolv.conf and /etc/hosts, as the kubelet writes them. */

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}
export interface DnsInputs {
  dnsPolicy?: string;              // ClusterFirst (default) | ClusterFirstWithHostNet | Default | None
  dnsConfig?: PodDNSConfig;
  hostNetwork?: boolean;
  namespace: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf text (for Default, and ClusterFirst without cluster DNS). */
  nodeResolvConf: string;
}

export interface ResolvConf { nameservers: string[]; searches: string[]; options: string[] }

/** Parses the parts of a resolv.conf the kubelet cares about. */
export function parseResolvConf(text: string): ResolvConf {
  const r: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [k, ...rest] = line.split(/\s+/);
    if (k === 'nameserver' && rest[0]) r.nameservers.push(rest[0]);
    else if (k === 'search' || k === 'domain') r.searches = rest; // last one wins, as the resolver does
    else if (k === 'options') r.options.push(...rest);
  }
  return r;
}

function uniq(xs: string[]): string[] { return [...new Set(xs)]; }

/** Merges options by name: later entries replace earlier ones with the same name (upstream mergeDNSOptions). */
function mergeOptions(base: string[], extra: { name: string; value?: string }[]): string[] {
  const m = new Map<string, string>();
  for (const o of base) m.set(o.split(':')[0]!, o);
  for (const o of extra) m.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...m.values()];
}

const MAX_NS = 3;
const MAX_SEARCH = 32;

/** The resolver config for a pod, following the kubelet's dnsPolicy rules. */
export function podResolvConf(d: DnsInputs): ResolvConf {
  const node = parseResolvConf(d.nodeResolvConf);
  let policy = d.dnsPolicy || 'ClusterFirst';
  if (policy === 'ClusterFirst' && d.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let r: ResolvConf;
  if (policy === 'None') r = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default' || d.clusterDNS.length === 0) r = { ...node, options: [...node.options] };
  else {
    const z = d.clusterDomain;
    r = { nameservers: [...d.clusterDNS], searches: uniq([`${d.namespace}.svc.${z}`, `svc.${z}`, z, ...node.searches]), options: ['ndots:5'] };
  }
  const c = d.dnsConfig;
  if (c) {
    r.nameservers = uniq([...r.nameservers, ...(c.nameservers ?? [])]);
    r.searches = uniq([...r.searches, ...(c.searches ?? [])]);
    r.options = mergeOptions(r.options, c.options ?? []);
  }
  r.nameservers = r.nameservers.slice(0, MAX_NS);
  r.searches = r.searches.slice(0, MAX_SEARCH);
  return r;
}

export function renderResolvConf(r: ResolvConf): string {
  const out: string[] = [];
  if (r.searches.length) out.push(`search ${r.searches.join(' ')}`);
  for (const n of r.nameservers) out.push(`nameserver ${n}`);
  if (r.options.length) out.push(`options ${r.options.join(' ')}`);
  return out.join('\n') + '\n';
}

export interface HostsInputs {
  podIPs: string[];
  hostname: string;
  subdomain?: string;
  namespace: string;
  clusterDomain: string;
  hostAliases?: { ip: string; hostnames?: string[] }[];
}

/** The kubelet-managed /etc/hosts. */
export function renderHosts(h: HostsInputs): string {
  const lines = [
    '# Kubernetes-managed hosts file (podnet).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const fqdn = h.subdomain ? `${h.hostname}.${h.subdomain}.${h.namespace}.svc.${h.clusterDomain}` : '';
  for (const ip of h.podIPs) lines.push(fqdn ? `${ip}\t${fqdn}\t${h.hostname}` : `${ip}\t${h.hostname}`);
  if (h.hostAliases?.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of h.hostAliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
