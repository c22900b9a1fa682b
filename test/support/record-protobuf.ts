/**
 * Records the protobuf request bodies the real kubectl sends, as fixtures for the decoder's unit
 * tests (test/fixtures/protobuf/kubectl/). Starts a podnet API server on a loopback port, runs each
 * typed kubectl command below with `-v=9` (client-go then hex-dumps every protobuf request body on
 * stderr), and stores:
 *   <case>.pb    the bytes of the command's first protobuf request body
 *   <case>.json  the object the same command prints with `--dry-run=client -o json` (when it has one)
 *   index.json   per case: kubectl version, command, method and URL of the recorded request
 *
 *   node dist/test/support/record-protobuf.js [kubectl binary, default /usr/lib/google-cloud-sdk/bin/kubectl.1.33]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApiServer } from './apiserver.js';

export const KUBECTL_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/protobuf/kubectl/', import.meta.url));

/** [case name, kubectl args, whether `--dry-run=client -o json` prints the same object]. */
export const CASES: [string, string[], boolean][] = [
  ['namespace', ['create', 'namespace', 'pb-team'], true],
  ['deployment', ['create', 'deployment', 'web', '--image=podnet/echo', '--replicas=0', '--port=8080'], true],
  ['configmap', ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two'], true],
  ['secret', ['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cr3t', '--type=Opaque'], true],
  ['service-clusterip', ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'], true],
  ['service-nodeport', ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'], true],
  ['serviceaccount', ['create', 'serviceaccount', 'bot'], true],
  ['role', ['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods,pods/log', '--resource-name=a'], true],
  ['clusterrole', ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz', '--verb=get'], false],
  ['rolebinding', ['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot', '--user=alice'], true],
  ['clusterrolebinding', ['create', 'clusterrolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '--group=devs'], true],
  ['job', ['create', 'job', 'once', '--image=podnet/echo', '--', 'echo', 'hi'], true],
  ['poddisruptionbudget', ['create', 'poddisruptionbudget', 'web-pdb', '--selector=app=web', '--min-available=50%'], true],
  ['tokenrequest', ['create', 'token', 'bot', '--duration=1h', '--audience=podnet'], false],
  ['selfsubjectaccessreview', ['auth', 'can-i', 'list', 'pods', '-n', 'default'], false],
  ['selfsubjectreview', ['auth', 'whoami'], false],
];

/** args with `extra` flags placed before a `--` (what follows it is the container's command). */
export function withFlags(args: string[], ...extra: string[]): string[] {
  const dash = args.indexOf('--');
  return dash < 0 ? [...args, ...extra] : [...args.slice(0, dash), ...extra, ...args.slice(dash)];
}

function run(bin: string, kubeconfig: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 64 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
    });
  });
}

/** The protobuf request bodies client-go hex-dumped at -v=9, each with the method and URL that followed it. */
export function requestBodies(stderr: string): { body: Buffer; method: string; url: string }[] {
  const out: { body: Buffer; method: string; url: string }[] = [];
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.includes('"Request Body" body=<')) continue;
    const bytes: number[] = [];
    for (i++; i < lines.length && !/^\s*>\s*$/.test(lines[i]!); i++) {
      if (lines[i]!.includes('truncated')) throw new Error('kubectl truncated a request body dump');
      const m = /^\s*[0-9a-f]{8}\s+((?:[0-9a-f]{2}\s+)+)\|/.exec(lines[i]!);
      if (m) for (const h of m[1]!.trim().split(/\s+/)) bytes.push(parseInt(h, 16));
    }
    const curl = lines.slice(i).find((l) => l.includes('curl -v -X'));
    const m = /curl -v -X(\w+).*'([^']+)'/.exec(curl ?? '');
    out.push({ body: Buffer.from(bytes), method: m?.[1] ?? '?', url: m?.[2]?.replace(/^https:\/\/[^/]+/, '') ?? '?' });
  }
  return out;
}

async function main(bin: string): Promise<void> {
  mkdirSync(KUBECTL_FIXTURES, { recursive: true });
  const api = await startApiServer({ serviceCidr: '10.96.0.0/16', nodePortRange: '30000-32767' });
  const index: Record<string, { kubectl: string; command: string; method: string; url: string }> = {};
  try {
    const version = (await run(bin, api.kubeconfigPath, ['version', '--client', '-o', 'json'])).stdout;
    const gitVersion = (JSON.parse(version) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
    for (const [name, args, dry] of CASES) {
      const real = args;
      if (dry) {
        const printed = await run(bin, api.kubeconfigPath, withFlags(real, '--dry-run=client', '-o', 'json'));
        if (printed.code !== 0) throw new Error(`${name}: ${printed.stderr}`);
        writeFileSync(`${KUBECTL_FIXTURES}${name}.json`, `${JSON.stringify(JSON.parse(printed.stdout), null, 2)}\n`);
      }
      const r = await run(bin, api.kubeconfigPath, withFlags(real, '-v=9'));
      if (r.code !== 0) throw new Error(`${name}: kubectl ${real.join(' ')} failed: ${r.stderr.split('\n').filter((l) => !/^I\d{4}/.test(l)).join('\n')}`);
      const first = requestBodies(r.stderr)[0];
      if (!first) throw new Error(`${name}: kubectl sent no protobuf body`);
      writeFileSync(`${KUBECTL_FIXTURES}${name}.pb`, first.body);
      index[name] = { kubectl: gitVersion, command: `kubectl ${real.join(' ')}`, method: first.method, url: first.url };
      process.stdout.write(`${name}: ${first.body.length} bytes, ${first.method} ${first.url}\n`);
    }
    writeFileSync(`${KUBECTL_FIXTURES}index.json`, `${JSON.stringify(index, null, 2)}\n`);
  } finally {
    await api.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33').catch((e: unknown) => { process.stderr.write(`${(e as Error).message}\n`); process.exitCode = 1; });
}
