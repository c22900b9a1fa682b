/**
 * Calico's selector expressions (the subset pools and BGP peers use): `all()`, `k == "v"`,
 * `k != "v"`, `has(k)`, `!has(k)`, `k in {"a", "b"}`, joined by `&&`. Pure.
 */
import { PodnetError } from '../util/errors.js';

export class SelectorError extends PodnetError {}

type Term = (labels: Record<string, string>) => boolean;
export interface CalicoSelector { text: string; matches(labels: Record<string, string> | undefined): boolean }

const KEY = String.raw`([A-Za-z0-9][-A-Za-z0-9_./]*)`;
const VAL = String.raw`(?:"([^"]*)"|'([^']*)')`;

function term(t: string): Term {
  let m: RegExpExecArray | null;
  if (t === 'all()' || t === '') return () => true;
  if ((m = new RegExp(`^has\\(${KEY}\\)$`).exec(t))) { const k = m[1]!; return (l) => k in l; }
  if ((m = new RegExp(`^!\\s*has\\(${KEY}\\)$`).exec(t))) { const k = m[1]!; return (l) => !(k in l); }
  if ((m = new RegExp(`^${KEY}\\s*(==|!=)\\s*${VAL}$`).exec(t))) {
    const k = m[1]!, op = m[2]!, v = m[3] ?? m[4] ?? '';
    return op === '==' ? (l) => l[k] === v : (l) => l[k] !== v;
  }
  if ((m = new RegExp(`^${KEY}\\s+(in|not in)\\s*\\{(.*)\\}$`).exec(t))) {
    const k = m[1]!, neg = m[2] === 'not in';
    const vals = m[3]!.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const q = /^"([^"]*)"$|^'([^']*)'$/.exec(s);
      if (!q) throw new SelectorError('ESELECTOR', `selector: ${JSON.stringify(s)} is not a quoted value`);
      return q[1] ?? q[2] ?? '';
    });
    return (l) => (k in l && vals.includes(l[k]!)) !== neg;
  }
  throw new SelectorError('ESELECTOR', `selector: cannot parse ${JSON.stringify(t)} (supported: all(), k == "v", k != "v", has(k), !has(k), k in {"a"}, joined by &&)`);
}

/** Parses a selector; throws SelectorError naming the part it could not read. */
export function parseCalicoSelector(text: string): CalicoSelector {
  const terms = text.split('&&').map((s) => term(s.trim()));
  return { text, matches: (labels) => terms.every((f) => f(labels ?? {})) };
}
