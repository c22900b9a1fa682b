/** IPv4 arithmetic for subnet leases (pure). */
export function ipToInt(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) throw new Error(`"${ip}" is not an IPv4 address`);
  return p.reduce((a, x) => a * 256 + Number(x), 0);
}
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map(String).join('.');
}
export function parseCidr(c: string): { base: number; len: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(c.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`"${c}" is not an IPv4 CIDR`);
  const len = Number(m[2]);
  const size = 2 ** (32 - len);
  const ip = ipToInt(m[1]!);
  return { base: ip - (ip % size), len };
}
export function cidrContains(cidr: string, ip: string): boolean {
  const { base, len } = parseCidr(cidr);
  const v = ipToInt(ip);
  return v >= base && v < base + 2 ** (32 - len);
}
/** flannel's key form of a subnet: 10.20.92.0/24 → 10.20.92.0-24. */
export function subnetKey(cidr: string): string { return cidr.replace('/', '-'); }
export function keySubnet(key: string): string | undefined {
  const m = /(\d+\.\d+\.\d+\.\d+)-(\d+)$/.exec(key);
  return m ? `${m[1]}/${m[2]}` : undefined;
}
/** The n-th address inside a CIDR (0 = network address). */
export function nthIp(cidr: string, n: number): string { return intToIp(parseCidr(cidr).base + n); }
/** All subnets of length `len` between min and max (inclusive), in order. */
export function subnetsBetween(min: string, max: string, len: number): string[] {
  const size = 2 ** (32 - len);
  const out: string[] = [];
  for (let v = ipToInt(min); v <= ipToInt(max); v += size) out.push(`${intToIp(v)}/${len}`);
  return out;
}
