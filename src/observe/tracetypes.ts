/** The shape `podnet trace -o json` prints (the web UI codes against it: keep it stable). */
import { PodnetError } from '../util/errors.js';

export type TraceProtocol = 'tcp' | 'udp' | 'icmp';
export type TraceVerdict = 'delivered' | 'dropped' | 'no-route' | 'rejected' | 'timeout';
export type TraceStep = 'route' | 'veth' | 'bridge' | 'cali' | 'tunnel' | 'underlay' | 'rule' | 'dnat' | 'snat' | 'policy' | 'deliver' | 'drop';

export interface TraceHop {
  index: number;
  /** The lab node the hop happens on, or 'underlay' (the lab's switch and router). */
  node: string;
  netns: string;
  step: TraceStep;
  device?: string;
  detail: string;
  rule?: string;
  table?: string;
  chain?: string;
}

export interface TraceSource { kind: 'pod' | 'node'; name: string; namespace?: string; node: string; ip: string }
export interface TraceDestination { kind: 'pod' | 'svc' | 'node' | 'ip'; name?: string; namespace?: string; node?: string; ip: string; port?: number }

export interface TraceReport {
  apiVersion: 'podnet.io/v1';
  kind: 'Trace';
  protocol: TraceProtocol;
  source: TraceSource;
  destination: TraceDestination;
  verdict: TraceVerdict;
  reason?: string;
  hops: TraceHop[];
}

export class TraceError extends PodnetError {}
