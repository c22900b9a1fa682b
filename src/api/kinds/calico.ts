/**
 * Calico's objects in crd.projectcalico.org/v1 (the group Calico's Kubernetes datastore stores them
 * in): IPPool, IPAMBlock, BlockAffinity, IPAMHandle, BGPConfiguration, BGPPeer. All cluster-scoped,
 * as Calico's CRDs are. The API server no longer serves these as built-in kinds: they are
 * CustomResourceDefinitions (src/calico/crds.ts, manifests/calico-crds.yaml) that the lab, or an
 * admin, installs. What stays here is pure: the validation libcalico-go does beyond what a
 * structural schema can say (CIDR syntax, blockSize against the pool's family and prefix,
 * selectors, AS numbers in asdot form), used client-side by calico-ipam and calico-node; the kind
 * definitions below are kept for unit tests of that validation and are not registered.
 */
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { asArr, asObj, asStr, CIDR_MSG, IP_MSG, invalid, isInt, isObj, notSupported, required } from '../validation/index.js';
import { isNetwork, tryParseCidr, isIP } from '../../util/addr.js';
import { parseCalicoSelector } from '../../calico/selector.js';

export const CALICO_GROUP = 'crd.projectcalico.org';
export const CALICO_VERSION = 'v1';
export const ENCAP_MODES = ['Never', 'Always', 'CrossSubnet'] as const;
export const AFFINITY_STATES = ['confirmed', 'pending', 'pendingDeletion'] as const;

const optBool = (spec: Record<string, unknown>, f: string, path: string, errs: FieldError[]): void => {
  if (spec[f] !== undefined && spec[f] !== null && typeof spec[f] !== 'boolean') errs.push(invalid(`${path}.${f}`, spec[f], 'must be a boolean'));
};

function validCidrField(v: unknown, path: string, errs: FieldError[], mustBeNetwork = true): ReturnType<typeof tryParseCidr> {
  const s = asStr(v);
  if (!s) { errs.push(required(path)); return undefined; }
  const c = tryParseCidr(s);
  if (!c) { errs.push(invalid(path, v, CIDR_MSG)); return undefined; }
  if (mustBeNetwork && !isNetwork(c)) errs.push(invalid(path, v, 'must be a network address (host bits zero)'));
  return c;
}

function validSelector(v: unknown, path: string, errs: FieldError[]): void {
  if (v === undefined || v === null || v === '') return;
  if (typeof v !== 'string') { errs.push(invalid(path, v, 'must be a selector expression string')); return; }
  try { parseCalicoSelector(v); } catch (e) { errs.push(invalid(path, v, (e as Error).message)); }
}

/** AS numbers: 1..4294967295, as a number or in the "asdot" string form calicoctl accepts ("1.10"). */
export function parseAsNumber(v: unknown): number | undefined {
  if (isInt(v) && v >= 1 && v <= 4294967295) return v;
  if (typeof v === 'string') {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
    if (!m) return undefined;
    const n = m[2] === undefined ? Number(m[1]) : Number(m[1]) * 65536 + Number(m[2]);
    if (m[2] !== undefined && (Number(m[1]) > 65535 || Number(m[2]) > 65535)) return undefined;
    return n >= 1 && n <= 4294967295 ? n : undefined;
  }
  return undefined;
}

function validAs(v: unknown, path: string, errs: FieldError[], isRequired = false): void {
  if (v === undefined || v === null) { if (isRequired) errs.push(required(path)); return; }
  if (parseAsNumber(v) === undefined) errs.push(invalid(path, v, 'must be an AS number between 1 and 4294967295'));
}

// ---------------------------------------------------------------- IPPool

/** libcalico-go's checks of an IPPool (client-side: calico-ipam skips, and names, a pool that fails them). */
export function validateIPPool(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const c = validCidrField(spec.cidr, 'spec.cidr', errs);
  const bs = spec.blockSize;
  if (bs !== undefined && bs !== null) {
    const v6 = c?.ip.family === 6;
    const [lo, hi] = v6 ? [116, 128] : [20, 32];
    if (!isInt(bs) || bs < lo || bs > hi) errs.push(invalid('spec.blockSize', bs, `must be between ${lo} and ${hi}, inclusive (IPv${v6 ? 6 : 4})`));
    else if (c && bs < c.prefix) errs.push(invalid('spec.blockSize', bs, `must not be smaller than the pool's prefix length /${c.prefix}`));
  }
  for (const f of ['ipipMode', 'vxlanMode'] as const) {
    const m = spec[f];
    if (m !== undefined && m !== null && !(ENCAP_MODES as readonly unknown[]).includes(m)) errs.push(notSupported(`spec.${f}`, m, ENCAP_MODES));
  }
  if (spec.ipipMode && spec.ipipMode !== 'Never' && spec.vxlanMode && spec.vxlanMode !== 'Never') {
    errs.push(invalid('spec.vxlanMode', spec.vxlanMode, 'IPIP and VXLAN cannot both be enabled on one pool'));
  }
  for (const f of ['natOutgoing', 'disabled', 'disableBGPExport']) optBool(spec, f, 'spec', errs);
  validSelector(spec.nodeSelector, 'spec.nodeSelector', errs);
  return errs;
}

export const ipPoolKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'IPPool', resource: 'ippools', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const spec = obj.spec as Record<string, unknown> | undefined;
    if (!isObj(spec)) return;
    const c = typeof spec.cidr === 'string' ? tryParseCidr(spec.cidr) : undefined;
    spec.blockSize ??= c?.ip.family === 6 ? 122 : 26;
    spec.ipipMode ??= 'Never';
    spec.vxlanMode ??= 'Never';
    spec.natOutgoing ??= false;
    spec.nodeSelector ??= 'all()';
  },
  validateSpec: validateIPPool,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(), col('CIDR', 'string', 'The pool CIDR.'), col('Block Size', 'integer', 'Prefix length of the blocks carved from the pool.'),
        col('NAT', 'boolean', 'Masquerade traffic from the pool to destinations outside all pools.'),
        col('IPIP Mode', 'string', 'IPIP encapsulation mode.'), col('VXLAN Mode', 'string', 'VXLAN encapsulation mode.'),
        col('Disabled', 'boolean', 'No new allocations from this pool.', 1), col('Selector', 'string', 'Nodes that allocate from this pool.', 1), ageCol(),
      ],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        return { cells: [o.metadata?.name ?? '', asStr(s.cidr), s.blockSize ?? 26, s.natOutgoing === true, s.ipipMode ?? 'Never', s.vxlanMode ?? 'Never', s.disabled === true, asStr(s.nodeSelector) || 'all()', translateTimestampSince(o.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
  hasGeneration: true,
});

// ---------------------------------------------------------------- IPAMBlock

function validateIPAMBlock(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const c = validCidrField(spec.cidr, 'spec.cidr', errs);
  const size = c ? 2 ** ((c.ip.family === 4 ? 32 : 128) - c.prefix) : 0;
  const attrs = asArr(spec.attributes);
  const allocs = spec.allocations;
  if (!Array.isArray(allocs)) errs.push(required('spec.allocations'));
  else {
    if (c && allocs.length !== size) errs.push(invalid('spec.allocations', `[${allocs.length} entries]`, `must have one entry per address of ${asStr(spec.cidr)} (${size})`));
    allocs.forEach((a, i) => {
      if (a !== null && (!isInt(a) || a < 0 || a >= attrs.length)) errs.push(invalid(`spec.allocations[${i}]`, a, 'must be null or an index into spec.attributes'));
    });
  }
  const un = asArr(spec.unallocated);
  const seen = new Set<number>();
  un.forEach((u, i) => {
    if (!isInt(u) || u < 0 || (size && u >= size)) errs.push(invalid(`spec.unallocated[${i}]`, u, 'must be an ordinal inside the block'));
    else if (seen.has(u)) errs.push(invalid(`spec.unallocated[${i}]`, u, 'duplicate ordinal'));
    else if (Array.isArray(allocs) && allocs[u] !== null && allocs[u] !== undefined) errs.push(invalid(`spec.unallocated[${i}]`, u, 'ordinal is allocated'));
    seen.add(u as number);
  });
  const aff = spec.affinity;
  if (aff !== undefined && aff !== null && !/^host:[a-z0-9.-]+$/.test(asStr(aff))) errs.push(invalid('spec.affinity', aff, 'must be "host:<node name>"'));
  attrs.forEach((a, i) => {
    if (!isObj(a)) errs.push(invalid(`spec.attributes[${i}]`, a, 'must be an object'));
    else if (a.handle_id !== undefined && a.handle_id !== null && typeof a.handle_id !== 'string') errs.push(invalid(`spec.attributes[${i}].handle_id`, a.handle_id, 'must be a string'));
  });
  optBool(spec, 'strictAffinity', 'spec', errs);
  optBool(spec, 'deleted', 'spec', errs);
  return errs;
}

export const ipamBlockKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'IPAMBlock', resource: 'ipamblocks', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const spec = obj.spec as Record<string, unknown> | undefined;
    if (!isObj(spec)) return;
    spec.strictAffinity ??= false;
    spec.deleted ??= false;
    spec.attributes ??= [];
  },
  validateSpec: validateIPAMBlock,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(), col('CIDR', 'string', 'The block CIDR.'), col('Affinity', 'string', 'The node the block is affine to.'),
        col('Allocated', 'integer', 'Addresses in use.'), col('Free', 'integer', 'Addresses not in use.'), ageCol(),
      ],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        const allocs = asArr(s.allocations);
        const used = allocs.filter((a) => a !== null).length;
        return { cells: [o.metadata?.name ?? '', asStr(s.cidr), asStr(s.affinity) || '<none>', used, allocs.length - used, translateTimestampSince(o.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
  hasGeneration: true,
});

// ---------------------------------------------------------------- BlockAffinity

export const blockAffinityKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'BlockAffinity', resource: 'blockaffinities', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const spec = obj.spec as Record<string, unknown> | undefined;
    if (!isObj(spec)) return;
    spec.state ??= 'confirmed';
    spec.deleted ??= 'false';
  },
  validateSpec(obj) {
    const errs: FieldError[] = [];
    const spec = asObj(obj.spec);
    validCidrField(spec.cidr, 'spec.cidr', errs);
    if (!asStr(spec.node)) errs.push(required('spec.node'));
    if (spec.state !== undefined && !(AFFINITY_STATES as readonly unknown[]).includes(spec.state)) errs.push(notSupported('spec.state', spec.state, AFFINITY_STATES));
    if (spec.deleted !== undefined && spec.deleted !== 'true' && spec.deleted !== 'false') errs.push(notSupported('spec.deleted', spec.deleted, ['true', 'false']));
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Node', 'string', 'The node.'), col('CIDR', 'string', 'The block.'), col('State', 'string', 'confirmed, pending or pendingDeletion.'), ageCol()],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        return { cells: [o.metadata?.name ?? '', asStr(s.node), asStr(s.cidr), asStr(s.state) || 'confirmed', translateTimestampSince(o.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
  hasGeneration: true,
});

// ---------------------------------------------------------------- IPAMHandle

export const ipamHandleKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'IPAMHandle', resource: 'ipamhandles', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  validateSpec(obj) {
    const errs: FieldError[] = [];
    const spec = asObj(obj.spec);
    if (!asStr(spec.handleID)) errs.push(required('spec.handleID'));
    const b = spec.block;
    if (b !== undefined && b !== null) {
      if (!isObj(b)) errs.push(invalid('spec.block', b, 'must map block names to address counts'));
      else for (const [k, v] of Object.entries(b)) if (!isInt(v) || v < 0) errs.push(invalid(`spec.block[${k}]`, v, 'must be a non-negative integer'));
    }
    optBool(spec, 'deleted', 'spec', errs);
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Handle', 'string', 'The allocation handle (network + container ID).'), col('Blocks', 'string', 'Addresses per block.'), ageCol()],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        const blocks = Object.entries(asObj(s.block)).map(([k, v]) => `${k}=${String(v)}`).join(',');
        return { cells: [o.metadata?.name ?? '', asStr(s.handleID), blocks || '<none>', translateTimestampSince(o.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
});

// ---------------------------------------------------------------- BGPConfiguration

export const bgpConfigurationKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'BGPConfiguration', resource: 'bgpconfigurations', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  validateSpec(obj) {
    const errs: FieldError[] = [];
    const spec = asObj(obj.spec);
    validAs(spec.asNumber, 'spec.asNumber', errs);
    optBool(spec, 'nodeToNodeMeshEnabled', 'spec', errs);
    for (const f of ['holdTime', 'keepaliveTime'] as const) {
      const v = spec[f];
      if (v !== undefined && v !== null && (!isInt(v) || v < 1 || v > 65535)) errs.push(invalid(`spec.${f}`, v, 'must be seconds between 1 and 65535'));
    }
    const sev = spec.logSeverityScreen;
    if (sev !== undefined && !['Debug', 'Info', 'Warning', 'Error', 'Fatal'].includes(asStr(sev))) errs.push(notSupported('spec.logSeverityScreen', sev, ['Debug', 'Info', 'Warning', 'Error', 'Fatal']));
    if (obj.metadata?.name !== 'default' && !/^node\.[a-z0-9.-]+$/.test(obj.metadata?.name ?? '') && spec.asNumber !== undefined) {
      errs.push(invalid('spec.asNumber', spec.asNumber, 'may only be set in the "default" BGPConfiguration'));
    }
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Logseverity', 'string', 'BIRD log level.'), col('Meshenabled', 'boolean', 'Full node-to-node BGP mesh.'), col('Asnumber', 'string', 'Default AS number of the nodes.'), ageCol()],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        return { cells: [o.metadata?.name ?? '', asStr(s.logSeverityScreen) || 'Info', s.nodeToNodeMeshEnabled !== false, s.asNumber === undefined ? '64512' : String(s.asNumber), translateTimestampSince(o.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
  hasGeneration: true,
});

// ---------------------------------------------------------------- BGPPeer

export const bgpPeerKind = defineKind({
  group: CALICO_GROUP, version: CALICO_VERSION, kind: 'BGPPeer', resource: 'bgppeers', namespaced: false,
  nameFn: nameIsDNSSubdomain,
  validateSpec(obj) {
    const errs: FieldError[] = [];
    const spec = asObj(obj.spec);
    const sel = spec.peerSelector;
    if (sel) {
      validSelector(sel, 'spec.peerSelector', errs);
      if (spec.peerIP) errs.push(invalid('spec.peerIP', spec.peerIP, 'must be empty when spec.peerSelector is set'));
    } else {
      const ip = asStr(spec.peerIP);
      if (!ip) errs.push(required('spec.peerIP', 'either peerIP or peerSelector is required'));
      else if (!isIP(ip.replace(/:\d+$/, ''))) errs.push(invalid('spec.peerIP', spec.peerIP, IP_MSG));
      validAs(spec.asNumber, 'spec.asNumber', errs, true);
    }
    if (spec.node && spec.nodeSelector) errs.push(invalid('spec.nodeSelector', spec.nodeSelector, 'must be empty when spec.node is set'));
    validSelector(spec.nodeSelector, 'spec.nodeSelector', errs);
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Peerip', 'string', 'The peer address.'), col('Node', 'string', 'The node (or selector) that peers.'), col('Asn', 'string', 'The peer AS.'), ageCol()],
      rows: items.map((o) => {
        const s = asObj(o.spec);
        return {
          cells: [o.metadata?.name ?? '', asStr(s.peerIP) || asStr(s.peerSelector), asStr(s.node) || asStr(s.nodeSelector) || '(global)', s.asNumber === undefined ? '' : String(s.asNumber), translateTimestampSince(o.metadata?.creationTimestamp, now)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});

export const calicoKinds = [ipPoolKind, ipamBlockKind, blockAffinityKind, ipamHandleKind, bgpConfigurationKind, bgpPeerKind];

// ---------------------------------------------------------------- OpenAPI (merged into src/api/openapi/schemas.ts)

type Field = [name: string, type: string, description?: string, patch?: string];
interface CalicoDefinition { full: string; description: string; fields: Field[]; gvk?: { group: string; version: string; kind: string }; required?: string[] }
const PKG = 'org.projectcalico.crd.v1';
const gvk = (kind: string): CalicoDefinition['gvk'] => ({ group: CALICO_GROUP, version: CALICO_VERSION, kind });
const TOP = (kind: string): Field[] => [
  ['apiVersion', 'string', 'APIVersion defines the versioned schema of this representation of an object.'],
  ['kind', 'string', 'Kind is a string value representing the REST resource this object represents.'],
  ['metadata', 'ObjectMeta', "Standard object's metadata."],
  ['spec', `${kind}Spec`, `Specification of the ${kind}.`],
];
const LIST = (item: string): Field[] => [
  ['apiVersion', 'string', 'APIVersion defines the versioned schema of this representation of an object.'],
  ['items', `[]${item}`, `List of ${item} objects.`],
  ['kind', 'string', 'Kind is a string value representing the REST resource this object represents.'],
  ['metadata', 'ListMeta', 'Standard list metadata.'],
];
function kindDefs(kind: string, description: string, spec: Field[], required?: string[]): Record<string, CalicoDefinition> {
  return {
    [kind]: { full: `${PKG}.${kind}`, description, fields: TOP(kind), gvk: gvk(kind) },
    [`${kind}List`]: { full: `${PKG}.${kind}List`, description: `A list of ${kind} objects.`, fields: LIST(kind), gvk: gvk(`${kind}List`) },
    [`${kind}Spec`]: { full: `${PKG}.${kind}Spec`, description: `The specification of a ${kind}.`, fields: spec, ...(required ? { required } : {}) },
  };
}

/** Schemas of the Calico kinds (short name → definition), in the shape of openapi/schemas.ts's table. */
export const CALICO_DEFINITIONS: Record<string, CalicoDefinition> = {
  ...kindDefs('IPPool', 'A pool of addresses Calico hands out to pods in blocks.', [
    ['cidr', 'string', 'The pool CIDR.'],
    ['blockSize', 'integer', 'Prefix length of the blocks nodes claim from this pool (default 26).'],
    ['ipipMode', 'string', 'Never, Always or CrossSubnet.'],
    ['vxlanMode', 'string', 'Never, Always or CrossSubnet.'],
    ['natOutgoing', 'boolean', 'Masquerade pod traffic to destinations outside every pool.'],
    ['disabled', 'boolean', 'No new allocations from this pool.'],
    ['disableBGPExport', 'boolean', 'Do not advertise the pool\'s blocks over BGP.'],
    ['nodeSelector', 'string', 'Selector of the nodes that allocate from this pool.'],
    ['allowedUses', '[]string', 'Workload and/or Tunnel.'],
  ], ['cidr']),
  ...kindDefs('IPAMBlock', 'A block of addresses affine to one node, with its allocations.', [
    ['cidr', 'string', 'The block CIDR.'],
    ['affinity', 'string', '"host:<node>" for the node the block is affine to.'],
    ['strictAffinity', 'boolean', 'Only the affine node allocates from the block.'],
    ['allocations', '[]integer', 'Per address: null, or the index of its attributes.'],
    ['unallocated', '[]integer', 'Free ordinals, in allocation order.'],
    ['attributes', '[]object', 'Allocation attributes: handle_id and secondary (namespace, pod, node).'],
    ['sequenceNumber', 'int64', 'Increases with every change.'],
    ['deleted', 'boolean', 'The block is being deleted.'],
  ], ['cidr', 'allocations', 'unallocated']),
  ...kindDefs('BlockAffinity', 'The claim of a node on a block.', [
    ['cidr', 'string', 'The block CIDR.'],
    ['node', 'string', 'The node.'],
    ['state', 'string', 'confirmed, pending or pendingDeletion.'],
    ['deleted', 'string', '"true" while the affinity is being deleted.'],
  ], ['cidr', 'node']),
  ...kindDefs('IPAMHandle', 'The addresses allocated under one handle (a pod\'s network attachment).', [
    ['handleID', 'string', 'The handle.'],
    ['block', 'object', 'Addresses per block.'],
    ['deleted', 'boolean', 'The handle is being deleted.'],
  ], ['handleID']),
  ...kindDefs('BGPConfiguration', 'Cluster-wide (name "default") or per-node ("node.<name>") BGP settings.', [
    ['asNumber', 'int64', 'The default AS number of the nodes (64512).'],
    ['nodeToNodeMeshEnabled', 'boolean', 'Full iBGP mesh between the nodes (default true).'],
    ['logSeverityScreen', 'string', 'BIRD log level.'],
    ['holdTime', 'integer', 'BGP hold time in seconds (podnet extension; BIRD default 240).'],
    ['keepaliveTime', 'integer', 'BGP keepalive time in seconds (podnet extension).'],
    ['serviceClusterIPs', '[]object', 'Service CIDRs to advertise.'],
  ]),
  ...kindDefs('BGPPeer', 'A BGP peer of all nodes, of one node, or of the nodes a selector picks.', [
    ['node', 'string', 'The node that peers (empty: every node).'],
    ['nodeSelector', 'string', 'Selector of the nodes that peer.'],
    ['peerIP', 'string', 'The peer\'s address.'],
    ['peerSelector', 'string', 'Selector of Calico nodes to peer with (route reflectors).'],
    ['asNumber', 'int64', 'The peer\'s AS number.'],
  ]),
};
