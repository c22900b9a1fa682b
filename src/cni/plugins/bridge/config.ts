import { CniError, ErrCode, type NetConf } from '../../types.js';

export interface BridgeConf {
  name: string;
  cniVersion: string;
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  forceAddress: boolean;
  ipMasq: boolean;
  mtu: number;
  hairpinMode: boolean;
  promiscMode: boolean;
  vlan: number;
  ipamType: string;
}

function bool(conf: NetConf, k: string): boolean {
  const v = conf[k];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new CniError(ErrCode.InvalidNetworkConfig, `bridge: "${k}" must be a boolean`);
  return v;
}

/** Parses and defaults the bridge plugin's config once (as upstream's loadNetConf). */
export function loadBridgeConf(conf: NetConf): BridgeConf {
  const bridge = conf.bridge === undefined ? 'cni0' : conf.bridge;
  if (typeof bridge !== 'string' || !bridge || bridge.length > 15 || /[/:\s]/.test(bridge)) throw new CniError(ErrCode.InvalidNetworkConfig, `bridge: invalid bridge name ${JSON.stringify(bridge)}`);
  const mtu = conf.mtu === undefined ? 1500 : conf.mtu;
  if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new CniError(ErrCode.InvalidNetworkConfig, `bridge: invalid mtu ${JSON.stringify(conf.mtu)}`);
  const vlan = conf.vlan === undefined ? 0 : conf.vlan;
  if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < 0 || vlan > 4094) throw new CniError(ErrCode.InvalidNetworkConfig, `bridge: invalid VLAN ID ${JSON.stringify(conf.vlan)} (must be between 0 and 4094)`);
  const ipam = conf.ipam;
  if (!ipam || typeof ipam !== 'object' || typeof ipam.type !== 'string' || !ipam.type) throw new CniError(ErrCode.InvalidNetworkConfig, 'bridge: missing "ipam" with a "type"');
  const isDefaultGateway = bool(conf, 'isDefaultGateway');
  return {
    name: conf.name, cniVersion: conf.cniVersion, bridge,
    isDefaultGateway, isGateway: bool(conf, 'isGateway') || isDefaultGateway,
    forceAddress: bool(conf, 'forceAddress'), ipMasq: bool(conf, 'ipMasq'), mtu,
    hairpinMode: bool(conf, 'hairpinMode'), promiscMode: bool(conf, 'promiscMode'), vlan, ipamType: ipam.type,
  };
}
