import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { stringify } from 'yaml';
import { canonicalIP, isIP } from '../util/addr.js';

/** PEM-encoded certificate + key. */
export interface CertPair { cert: string; key: string }
/** Subject alternative names of a serving certificate. */
export interface Sans { dns?: string[]; ips?: string[] }
export interface Pki { ca: CertPair; server: CertPair; admin: CertPair; dir: string }

const DAY = 24 * 3600 * 1000;
/** Serving and client certificates this close to expiry are issued again by ensurePki. */
export const RENEW_WITHIN_DAYS = 30;
/** Lifetime of the serving and client certificates ensurePki and issueClientCert issue. */
export const CERT_DAYS = 365;

/** When a PEM certificate stops being valid. */
export function certExpiry(pem: string): Date {
  return new Date(new X509Certificate(pem).validTo);
}

/** True when the certificate expires within `days` of `now` (or has expired). */
export function expiresWithin(pem: string, days: number, now = new Date()): boolean {
  return certExpiry(pem).getTime() - now.getTime() < days * DAY;
}

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  // Node's native RSA generation is ~100x faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { pem, forgeKey, forgePub: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/**
 * Signs the certificate as forge's `cert.sign(key, sha256)` does (sha256WithRSAEncryption over the
 * DER TBSCertificate, PKCS#1 v1.5: the same bytes), but with Node's native RSA: ~3 ms instead of
 * ~0.5 s of pure-JS big-number arithmetic per certificate on this 2-core VM.
 */
function signCert(c: forge.pki.Certificate, keyPem: string): void {
  c.md = forge.md.sha256.create();
  c.signatureOid = c.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  c.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(x: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(c);
  c.signature = sign('sha256', Buffer.from(forge.asn1.toDer(c.tbsCertificate).getBytes(), 'binary'), keyPem).toString('binary');
}

function baseCert(pub: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = '01' + randomBytes(15).toString('hex');
  c.validity.notBefore = new Date(Date.now() - 5 * 60 * 1000);
  c.validity.notAfter = new Date(Date.now() + days * DAY);
  return c;
}

function createCA(cn: string): CertPair {
  const k = newKey();
  const c = baseCert(k.forgePub, 3650);
  const subject = [{ name: 'commonName', value: cn }];
  c.setSubject(subject);
  c.setIssuer(subject);
  c.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCert(c, k.pem);
  return { cert: forge.pki.certificateToPem(c), key: k.pem };
}

function issue(ca: CertPair, subject: { cn: string; orgs?: string[] }, usage: 'server' | 'client', sans: Sans = {}, days = CERT_DAYS): CertPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const k = newKey();
  const c = baseCert(k.forgePub, days);
  c.setSubject([{ name: 'commonName', value: subject.cn }, ...(subject.orgs ?? []).map((o) => ({ name: 'organizationName', value: o }))]);
  c.setIssuer(caCert.subject.attributes);
  const ext: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
  ];
  if (usage === 'server') {
    ext.push({ name: 'subjectAltName', altNames: [...(sans.dns ?? []).map((value) => ({ type: 2, value })), ...(sans.ips ?? []).map((ip) => ({ type: 7, ip }))] });
  }
  c.setExtensions(ext);
  signCert(c, ca.key);
  return { cert: forge.pki.certificateToPem(c), key: k.pem };
}

function readPair(dir: string, name: string): CertPair | undefined {
  const cf = join(dir, `${name}.crt`);
  const kf = join(dir, `${name}.key`);
  return existsSync(cf) && existsSync(kf) ? { cert: readFileSync(cf, 'utf8'), key: readFileSync(kf, 'utf8') } : undefined;
}
function writePair(dir: string, name: string, p: CertPair): void {
  writeFileSync(join(dir, `${name}.key`), p.key, { mode: 0o600 });
  writeFileSync(join(dir, `${name}.crt`), p.cert);
}

/** The names every serving certificate carries. */
export const DEFAULT_SERVING_SANS: Required<Sans> = {
  dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
  ips: ['127.0.0.1'],
};

function normIP(ip: string): string { return isIP(ip) ? canonicalIP(ip) : ip; }

/** The union of SAN sets, first occurrence first, duplicates dropped (pure). */
export function mergeSans(...sets: Sans[]): Required<Sans> {
  const dns = new Set<string>(), ips = new Set<string>();
  for (const s of sets) {
    for (const d of s.dns ?? []) dns.add(d.toLowerCase());
    for (const ip of s.ips ?? []) ips.add(normIP(ip));
  }
  return { dns: [...dns], ips: [...ips] };
}

/** The SANs a certificate (PEM) carries. */
export function certSans(pem: string): Required<Sans> {
  const ext = forge.pki.certificateFromPem(pem).getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  const names = ext?.altNames ?? [];
  return { dns: names.filter((n) => n.type === 2 && n.value).map((n) => n.value!.toLowerCase()), ips: names.filter((n) => n.type === 7 && n.ip).map((n) => normIP(n.ip!)) };
}

/** What `want` names that `have` lacks (pure). */
export function missingSans(have: Sans, want: Sans): Required<Sans> {
  const dns = new Set((have.dns ?? []).map((d) => d.toLowerCase())), ips = new Set((have.ips ?? []).map(normIP));
  return { dns: (want.dns ?? []).map((d) => d.toLowerCase()).filter((d) => !dns.has(d)), ips: (want.ips ?? []).map(normIP).filter((ip) => !ips.has(ip)) };
}

/**
 * The cluster PKI under `<dataDir>/pki`: a CA, the API server's serving certificate and an admin
 * client certificate (CN=admin, O=system:masters). Generated at first start, reused afterwards;
 * a serving certificate lacking one of `extraSans` is issued again with its old names plus the new.
 * The serving and admin certificates are also issued again (same CA, new key) when they expire
 * within RENEW_WITHIN_DAYS; the CA (10 years) is not renewed: that would invalidate every credential.
 */
export function ensurePki(dataDir: string, extraSans: Sans = {}): Pki {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(dir, 'ca');
  if (!ca) { ca = createCA('podnet-ca'); writePair(dir, 'ca', ca); }
  let server = readPair(dir, 'apiserver');
  const want = mergeSans(DEFAULT_SERVING_SANS, extraSans);
  const have = server ? certSans(server.cert) : undefined;
  const lacking = have ? missingSans(have, want) : undefined;
  if (!server || !have || lacking!.dns.length || lacking!.ips.length || expiresWithin(server.cert, RENEW_WITHIN_DAYS)) {
    server = issue(ca, { cn: 'kube-apiserver' }, 'server', mergeSans(have ?? {}, want));
    writePair(dir, 'apiserver', server);
  }
  let admin = readPair(dir, 'admin');
  if (!admin || expiresWithin(admin.cert, RENEW_WITHIN_DAYS)) { admin = issue(ca, { cn: 'admin', orgs: ['system:masters'] }, 'client'); writePair(dir, 'admin', admin); }
  return { ca, server, admin, dir };
}

/** A client certificate signed by the cluster CA (e.g. CN=system:node:k8s-node1, O=system:nodes). */
export function issueClientCert(dataDir: string, cn: string, groups: string[] = [], days = CERT_DAYS): CertPair {
  const pki = ensurePki(dataDir);
  return issue(pki.ca, { cn, orgs: groups }, 'client', {}, days);
}

/** A kubeconfig with embedded credentials, as kubectl and podnet's client read it. */
export function renderKubeconfig(o: { server: string; ca: string; cert: string; key: string; user: string; cluster?: string; namespace?: string }): string {
  const cluster = o.cluster ?? 'podnet';
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': b64(o.ca) } }],
    users: [{ name: o.user, user: { 'client-certificate-data': b64(o.cert), 'client-key-data': b64(o.key) } }],
    contexts: [{ name: `${o.user}@${cluster}`, context: { cluster, user: o.user, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': `${o.user}@${cluster}`,
    preferences: {},
  });
}

/** User and groups of a verified client certificate (CN and O), as kube-apiserver's x509 authenticator reads them. */
export function userFromCert(subject: { CN?: string | string[]; O?: string | string[] } | undefined): { name: string; groups: string[] } | undefined {
  if (!subject?.CN) return undefined;
  const cn = Array.isArray(subject.CN) ? subject.CN[0]! : subject.CN;
  const o = subject.O === undefined ? [] : Array.isArray(subject.O) ? subject.O : [subject.O];
  return { name: cn, groups: [...o, 'system:authenticated'] };
}
