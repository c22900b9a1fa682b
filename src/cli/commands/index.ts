import type { Command } from 'commander';
import { register as apiserver } from './apiserver.js';
import { register as controllers } from './controllers.js';
import { register as kubeconfig } from './kubeconfig.js';
import { register as lab } from './lab.js';
import { register as agent } from './agent.js';
import { register as kubelet } from './kubelet.js';
import { register as flanneld } from './flanneld.js';
import { register as cni } from './cni.js';
import { register as proxy } from './proxy.js';
import { register as dns } from './dns.js';
import { register as plan } from './plan.js';
import { register as crictl } from './crictl.js';
import { register as inspect } from './inspect.js';
import { register as capture } from './capture.js';
import { register as netpol } from './netpol.js';
import { register as bgp } from './bgp.js';
import { register as calico } from './calico.js';
import { register as bench } from './bench.js';
import { register as ui } from './ui.js';
import { register as trace } from './trace.js';
import { register as flows } from './flows.js';

/** Each area owns one file in this folder exporting register(program); this list wires them into `podnet`. */
export function registerCommands(program: Command): void {
  apiserver(program);
  controllers(program);
  kubeconfig(program);
  lab(program);
  agent(program);
  kubelet(program);
  flanneld(program);
  cni(program);
  proxy(program);
  dns(program);
  plan(program);
  crictl(program);
  inspect(program);
  capture(program);
  netpol(program);
  bgp(program);
  calico(program);
  bench(program);
  ui(program);
  trace(program);
  flows(program);
}
