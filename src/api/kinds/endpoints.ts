/** v1 Endpoints and discovery.k8s.io/v1 EndpointSlice. */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { PROTOCOLS } from './podspec.js';
import {
  IP_MSG, PORT_RANGE_MSG, asArr, asObj, asStr, duplicate, forbidden, inclusiveRangeMsg, invalid, isDNS1123Label,
  isDNS1123Subdomain, isObj, isValidIP, isValidPortNum, notSupported, required, tooMany,
} from '../validation/index.js';
import { familyOf } from '../../util/addr.js';

// ---------------------------------------------------------------- Endpoints

function validateEndpointIP(ip: string, field: string): FieldError[] {
  if (!isValidIP(ip)) return [invalid(field, ip, IP_MSG)];
  const errs: FieldError[] = [];
  if (ip === '0.0.0.0' || ip === '::') errs.push(invalid(field, ip, 'may not be unspecified (0.0.0.0, ::)'));
  if (/^127\./.test(ip) || ip === '::1') errs.push(invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (/^169\.254\./.test(ip) || /^fe[89ab][0-9a-f]:/i.test(ip)) errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (/^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip)) errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateEndpoints(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  asArr(obj.subsets).forEach((raw, i) => {
    const ss = asObj(raw);
    const sp = `subsets[${i}]`;
    const addrs = asArr(ss.addresses);
    const nra = asArr(ss.notReadyAddresses);
    if (addrs.length === 0 && nra.length === 0) {
      errs.push(required(sp, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [list, name] of [[addrs, 'addresses'], [nra, 'notReadyAddresses']] as const) {
      list.forEach((a, j) => {
        const addr = asObj(a);
        const ap = `${sp}.${name}[${j}]`;
        errs.push(...validateEndpointIP(asStr(addr.ip), `${ap}.ip`));
        if (addr.hostname) for (const m of isDNS1123Label(asStr(addr.hostname))) errs.push(invalid(`${ap}.hostname`, addr.hostname, m));
        if (addr.nodeName) for (const m of isDNS1123Subdomain(asStr(addr.nodeName))) errs.push(invalid(`${ap}.nodeName`, addr.nodeName, m));
      });
    }
    const ports = asArr(ss.ports);
    const names = new Set<string>();
    ports.forEach((r, j) => {
      const p = asObj(r);
      const pp = `${sp}.ports[${j}]`;
      const name = asStr(p.name);
      if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
      if (name) {
        for (const m of isDNS1123Label(name)) errs.push(invalid(`${pp}.name`, name, m));
        if (names.has(name)) errs.push(duplicate(`${pp}.name`, name));
        names.add(name);
      }
      if (!isValidPortNum(p.port)) errs.push(invalid(`${pp}.port`, p.port ?? 0, PORT_RANGE_MSG));
      if (p.protocol === undefined || p.protocol === '') errs.push(required(`${pp}.protocol`));
      else if (!(PROTOCOLS as readonly unknown[]).includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    });
  });
  return errs;
}

/** printers.formatEndpoints: up to three host:port pairs, then `+ N more...`. */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) { more = true; continue; }
        list.push(a.ip);
      }
    } else {
      for (const p of ss.ports) {
        count += addrs.length;
        for (const a of addrs) {
          if (list.length === max) { more = true; continue; }
          list.push(hostPort(a.ip, p.port));
        }
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsKind = defineKind({
  group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true,
  shortNames: ['ep'], nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    for (const ss of asArr(obj.subsets)) for (const p of asArr(asObj(ss).ports)) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  },
  validateSpec: validateEndpoints,
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Endpoints', 'string', 'Endpoints is the list of endpoints.'), ageCol()],
      rows: items.map((o) => ({
        cells: [o.metadata?.name ?? '', formatEndpoints(o as unknown as Endpoints), translateTimestampSince(o.metadata?.creationTimestamp, now)],
        object: o,
      })),
    };
  },
  hasGeneration: false,
});

// ---------------------------------------------------------------- EndpointSlice

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;

function validateEndpointSlice(obj: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = obj.addressType;
  if (at === undefined || at === '') errs.push(required('addressType'));
  else if (!(ADDRESS_TYPES as readonly unknown[]).includes(at)) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  if (old && old.addressType !== undefined && at !== old.addressType) errs.push(invalid('addressType', at, 'field is immutable'));
  const eps = asArr(obj.endpoints);
  if (eps.length > 1000) errs.push(tooMany('endpoints', eps.length, 1000));
  eps.forEach((raw, i) => {
    const e = asObj(raw);
    const ep = `endpoints[${i}]`;
    const addrs = asArr(e.addresses);
    if (addrs.length === 0) errs.push(required(`${ep}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(`${ep}.addresses`, addrs.length, 100));
    addrs.forEach((a, j) => {
      const s = asStr(a);
      const f = `${ep}.addresses[${j}]`;
      if (at === 'IPv4') { if (familyOf(s) !== 4) errs.push(invalid(f, s, 'must be a valid IPv4 address')); }
      else if (at === 'IPv6') { if (familyOf(s) !== 6) errs.push(invalid(f, s, 'must be a valid IPv6 address')); }
      else if (at === 'FQDN') for (const m of isDNS1123Subdomain(s)) errs.push(invalid(f, s, m));
    });
    if (e.nodeName) for (const m of isDNS1123Subdomain(asStr(e.nodeName))) errs.push(invalid(`${ep}.nodeName`, e.nodeName, m));
    if (e.hostname) for (const m of isDNS1123Label(asStr(e.hostname))) errs.push(invalid(`${ep}.hostname`, e.hostname, m));
    if (e.topology !== undefined && !isObj(e.topology)) errs.push(invalid(`${ep}.topology`, e.topology, 'must be a map'));
    if (e.deprecatedTopology !== undefined && !isObj(e.deprecatedTopology)) errs.push(invalid(`${ep}.deprecatedTopology`, e.deprecatedTopology, 'must be a map'));
  });
  const ports = asArr(obj.ports);
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = asObj(raw);
    const pp = `ports[${i}]`;
    const name = asStr(p.name);
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(`${pp}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${pp}.name`, name));
    names.add(name);
    if (p.port !== undefined && p.port !== null && (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 0 || p.port > 65535)) {
      errs.push(invalid(`${pp}.port`, p.port, inclusiveRangeMsg(0, 65535)));
    }
    if (p.protocol === undefined || p.protocol === '') errs.push(required(`${pp}.protocol`));
    else if (!(PROTOCOLS as readonly unknown[]).includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
  });
  if (obj.metadata?.labels?.['kubernetes.io/service-name'] === '') {
    errs.push(forbidden('metadata.labels', 'kubernetes.io/service-name may not be empty'));
  }
  return errs;
}

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}
function formatSlicePorts(s: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of s.ports ?? []) {
    if (list.length < 3) list.push(p.port !== undefined && p.port !== null ? String(p.port) : p.name ? p.name : '*');
    else more = true;
    count++;
  }
  return listWithMore(list, more, count, 3);
}
function formatSliceEndpoints(s: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of s.endpoints ?? []) {
    for (const a of e.addresses ?? []) {
      if (list.length < 3) list.push(a);
      else more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, 3);
}

export const endpointSliceKind = defineKind({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true,
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    for (const p of asArr(obj.ports)) {
      if (!isObj(p)) continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validateSpec: validateEndpointSlice,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
        col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
        col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
        ageCol(),
      ],
      rows: items.map((o) => {
        const s = o as unknown as EndpointSlice;
        return {
          cells: [o.metadata?.name ?? '', s.addressType ?? '', formatSlicePorts(s), formatSliceEndpoints(s), translateTimestampSince(o.metadata?.creationTimestamp, now)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});
