/**
 * Calico's CustomResourceDefinitions (crd.projectcalico.org/v1), as a Calico install creates them
 * before calico-node starts: IPPool, IPAMBlock, BlockAffinity, IPAMHandle, BGPConfiguration,
 * BGPPeer, all cluster-scoped, each with a structural OpenAPI v3 schema of the fields podnet uses
 * (open where Calico's API has more than podnet models: `x-kubernetes-preserve-unknown-fields`)
 * and printer columns for `kubectl get`. This file is the one source of truth; the shipped
 * manifest manifests/calico-crds.yaml is generated from it (`podnet calico crds`, checked by a
 * unit test). What a schema cannot say (a CIDR's syntax, blockSize against the pool's family)
 * is checked by calico-ipam / calico-node (./poolcheck.ts).
 */
import type { KObject } from '../meta/types.js';
import { isAlreadyExists, R, type KubeClient } from '../client/index.js';
import { ApiError } from '../client/errors.js';
import { PodnetError } from '../util/errors.js';
import { stringify } from 'yaml';

export const CALICO_CRD_GROUP = 'crd.projectcalico.org';
export const CALICO_CRDS_MANIFEST = 'manifests/calico-crds.yaml';

type Schema = Record<string, unknown>;
interface Column { name: string; type: string; jsonPath: string; description: string; priority?: number }

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const bool = (description: string, extra: Schema = {}): Schema => ({ type: 'boolean', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
const ENCAP = ['Never', 'Always', 'CrossSubnet'];
const AS_NUMBER = (description: string): Schema => int(description, { format: 'int64', minimum: 1, maximum: 4294967295 });

function crd(kind: string, plural: string, description: string, spec: Schema, columns: Column[]): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${CALICO_CRD_GROUP}` },
    spec: {
      group: CALICO_CRD_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Cluster',
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object', description,
            properties: {
              apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
              kind: str('Kind is a string value representing the REST resource this object represents.'),
              metadata: { type: 'object' },
              spec,
            },
          },
        },
        additionalPrinterColumns: [...columns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' }],
      }],
    },
  };
}

/** The six definitions, in the order they are installed. */
export function calicoCrds(): KObject[] {
  return [
    crd('IPPool', 'ippools', 'A pool of addresses Calico hands out to pods in blocks.', {
      type: 'object', description: 'The specification of an IPPool.', required: ['cidr'],
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        cidr: str('The pool CIDR (a network address, host bits zero).', { minLength: 1 }),
        blockSize: int('Prefix length of the blocks nodes claim from this pool (default 26 for IPv4, 122 for IPv6).', { minimum: 20, maximum: 128 }),
        ipipMode: str('IPIP encapsulation: Never, Always or CrossSubnet (this kernel has no ipip module: only Never works).', { enum: ENCAP, default: 'Never' }),
        vxlanMode: str('VXLAN encapsulation: Never, Always or CrossSubnet.', { enum: ENCAP, default: 'Never' }),
        natOutgoing: bool('Masquerade pod traffic to destinations outside every pool.', { default: false }),
        disabled: bool('No new allocations from this pool.'),
        disableBGPExport: bool('Do not advertise the pool\'s blocks over BGP.'),
        nodeSelector: str('Calico selector of the nodes that allocate from this pool.', { default: 'all()' }),
        allowedUses: { type: 'array', description: 'Workload and/or Tunnel.', items: str('A use.', { enum: ['Workload', 'Tunnel'] }) },
      },
    }, [
      { name: 'CIDR', type: 'string', jsonPath: '.spec.cidr', description: 'The pool CIDR.' },
      { name: 'Block Size', type: 'integer', jsonPath: '.spec.blockSize', description: 'Prefix length of the blocks carved from the pool.' },
      { name: 'NAT', type: 'boolean', jsonPath: '.spec.natOutgoing', description: 'Masquerade traffic from the pool to destinations outside all pools.' },
      { name: 'IPIP Mode', type: 'string', jsonPath: '.spec.ipipMode', description: 'IPIP encapsulation mode.' },
      { name: 'VXLAN Mode', type: 'string', jsonPath: '.spec.vxlanMode', description: 'VXLAN encapsulation mode.' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled', description: 'No new allocations from this pool.', priority: 1 },
      { name: 'Selector', type: 'string', jsonPath: '.spec.nodeSelector', description: 'Nodes that allocate from this pool.', priority: 1 },
    ]),
    crd('IPAMBlock', 'ipamblocks', 'A block of addresses affine to one node, with its allocations.', {
      type: 'object', description: 'The specification of an IPAMBlock.', required: ['cidr', 'allocations', 'unallocated', 'attributes'],
      properties: {
        cidr: str('The block CIDR.', { minLength: 1 }),
        affinity: str('"host:<node>": the node the block is affine to.', { pattern: '^host:[a-z0-9.-]+$' }),
        strictAffinity: bool('Only the affine node allocates from the block.', { default: false }),
        allocations: { type: 'array', description: 'Per address of the block: null, or the index of its entry in attributes.', items: int('Index into attributes.', { nullable: true, minimum: 0 }) },
        unallocated: { type: 'array', description: 'Free ordinals, in allocation order.', 'x-kubernetes-list-type': 'set', items: int('An ordinal inside the block.', { minimum: 0 }) },
        attributes: {
          type: 'array', description: 'Allocation attributes.',
          items: {
            type: 'object', description: 'The handle an allocation belongs to and who holds it.',
            properties: {
              handle_id: str('The allocation handle.'),
              secondary: { type: 'object', description: 'namespace, pod, node.', additionalProperties: { type: 'string' } },
            },
          },
        },
        sequenceNumber: int('Increases with every change.', { format: 'int64', minimum: 0 }),
        deleted: bool('The block is being deleted.', { default: false }),
      },
    }, [
      { name: 'CIDR', type: 'string', jsonPath: '.spec.cidr', description: 'The block CIDR.' },
      { name: 'Affinity', type: 'string', jsonPath: '.spec.affinity', description: 'The node the block is affine to.' },
      { name: 'Strict', type: 'boolean', jsonPath: '.spec.strictAffinity', description: 'Only the affine node allocates from the block.', priority: 1 },
      { name: 'Seq', type: 'integer', jsonPath: '.spec.sequenceNumber', description: 'Changes to the block.', priority: 1 },
    ]),
    crd('BlockAffinity', 'blockaffinities', 'The claim of a node on a block.', {
      type: 'object', description: 'The specification of a BlockAffinity.', required: ['cidr', 'node'],
      properties: {
        cidr: str('The block CIDR.', { minLength: 1 }),
        node: str('The node.', { minLength: 1 }),
        state: str('confirmed, pending or pendingDeletion.', { enum: ['confirmed', 'pending', 'pendingDeletion'], default: 'confirmed' }),
        deleted: str('"true" while the affinity is being deleted.', { enum: ['true', 'false'], default: 'false' }),
      },
    }, [
      { name: 'Node', type: 'string', jsonPath: '.spec.node', description: 'The node.' },
      { name: 'CIDR', type: 'string', jsonPath: '.spec.cidr', description: 'The block.' },
      { name: 'State', type: 'string', jsonPath: '.spec.state', description: 'confirmed, pending or pendingDeletion.' },
    ]),
    crd('IPAMHandle', 'ipamhandles', 'The addresses allocated under one handle (a pod\'s network attachment).', {
      type: 'object', description: 'The specification of an IPAMHandle.', required: ['handleID'],
      properties: {
        handleID: str('The handle.', { minLength: 1 }),
        block: { type: 'object', description: 'Addresses per block.', additionalProperties: int('Addresses in the block.', { minimum: 0 }) },
        deleted: bool('The handle is being deleted.'),
      },
    }, [
      { name: 'Handle', type: 'string', jsonPath: '.spec.handleID', description: 'The allocation handle (network + container ID).' },
    ]),
    crd('BGPConfiguration', 'bgpconfigurations', 'Cluster-wide ("default") or per-node ("node.<name>") BGP settings.', {
      type: 'object', description: 'The specification of a BGPConfiguration.',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        asNumber: AS_NUMBER('The default AS number of the nodes (64512).'),
        nodeToNodeMeshEnabled: bool('Full iBGP mesh between the nodes (default true).'),
        logSeverityScreen: str('BIRD log level.', { enum: ['Debug', 'Info', 'Warning', 'Error', 'Fatal'] }),
        holdTime: int('BGP hold time in seconds (podnet extension; BIRD default 240).', { minimum: 1, maximum: 65535 }),
        keepaliveTime: int('BGP keepalive time in seconds (podnet extension).', { minimum: 1, maximum: 65535 }),
        serviceClusterIPs: { type: 'array', description: 'Service CIDRs to advertise.', items: { type: 'object', properties: { cidr: str('A CIDR.') } } },
      },
    }, [
      { name: 'Mesh', type: 'boolean', jsonPath: '.spec.nodeToNodeMeshEnabled', description: 'Full node-to-node BGP mesh.' },
      { name: 'ASN', type: 'integer', jsonPath: '.spec.asNumber', description: 'Default AS number of the nodes.' },
      { name: 'Log Severity', type: 'string', jsonPath: '.spec.logSeverityScreen', description: 'BIRD log level.', priority: 1 },
    ]),
    crd('BGPPeer', 'bgppeers', 'A BGP peer of all nodes, of one node, or of the nodes a selector picks.', {
      type: 'object', description: 'The specification of a BGPPeer.',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        node: str('The node that peers (empty: every node).'),
        nodeSelector: str('Calico selector of the nodes that peer.'),
        peerIP: str('The peer\'s address (optionally :port).'),
        peerSelector: str('Calico selector of nodes to peer with (route reflectors).'),
        asNumber: AS_NUMBER('The peer\'s AS number.'),
      },
    }, [
      { name: 'Peer IP', type: 'string', jsonPath: '.spec.peerIP', description: 'The peer address.' },
      { name: 'Node', type: 'string', jsonPath: '.spec.node', description: 'The node that peers (empty: all, or nodeSelector).' },
      { name: 'ASN', type: 'integer', jsonPath: '.spec.asNumber', description: 'The peer AS.' },
    ]),
  ];
}

/** The definitions as one multi-document YAML manifest (the text of manifests/calico-crds.yaml). */
export function calicoCrdsYaml(): string {
  const head = '# Calico\'s CustomResourceDefinitions for podnet (crd.projectcalico.org/v1).\n# Generated by `podnet calico crds` from src/calico/crds.ts: do not edit by hand.\n';
  return head + calicoCrds().map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

export class CalicoCrdError extends PodnetError {}

/**
 * Creates every missing definition (idempotent: existing ones are left as they are). Needs the
 * right to create customresourcedefinitions (a cluster admin's); a node credential without it
 * gets a clear error telling the admin to apply the manifest.
 */
export async function installCalicoCrds(client: KubeClient): Promise<string[]> {
  const created: string[] = [];
  for (const d of calicoCrds()) {
    try {
      await client.create(R.customresourcedefinitions, d);
      created.push(d.metadata.name!);
    } catch (e) {
      if (isAlreadyExists(e)) continue;
      if (e instanceof ApiError && (e.code === 'Forbidden' || e.httpStatus === 403)) {
        throw new CalicoCrdError('ECALICOCRDS', `Calico's CustomResourceDefinitions are not installed and this credential may not create them: a cluster admin runs \`kubectl apply -f ${CALICO_CRDS_MANIFEST}\` (or \`podnet calico crds | kubectl apply -f -\`) (${e.message})`);
      }
      throw e;
    }
  }
  return created;
}

/** True when the API serves crd.projectcalico.org/v1 ippools (the definitions are installed). */
export async function calicoCrdsServed(client: KubeClient): Promise<boolean> {
  try { await client.list(R.ippools, { limit: 1 }); return true; } catch (e) {
    if (e instanceof ApiError && e.httpStatus === 404) return false;
    throw e;
  }
}
