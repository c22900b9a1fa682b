import { words } from './tokens.js';
import { TraceError } from './types.js';

/** One nft token: punctuation `{ } ; ,` stands alone; `q` is true for a quoted string. */
export interface Tok { v: string; q: boolean }

export function lex(line: string, n: number): Tok[] {
  const { w, quoted } = words(line, n);
  const out: Tok[] = [];
  w.forEach((word, i) => {
    if (quoted[i]) { out.push({ v: word, q: true }); return; }
    for (const part of word.split(/([{};,])/)) if (part) out.push({ v: part, q: false });
  });
  return out;
}

/** A cursor over a line's tokens; every error names the line. */
export class Cursor {
  i = 0;
  constructor(readonly t: Tok[], readonly n: number, readonly line: string) {}
  peek(k = 0): string | undefined { return this.t[this.i + k]?.v; }
  done(): boolean { return this.i >= this.t.length; }
  next(what = 'a word'): string {
    const x = this.t[this.i++];
    if (!x) throw this.err(`expected ${what}, got end of line`);
    return x.v;
  }
  nextTok(what = 'a word'): Tok { const x = this.t[this.i++]; if (!x) throw this.err(`expected ${what}, got end of line`); return x; }
  eat(v: string): boolean { if (this.peek() === v && !this.t[this.i]!.q) { this.i++; return true; } return false; }
  expect(v: string): void { const got = this.next(`'${v}'`); if (got !== v) throw this.err(`expected '${v}', got '${got}'`); }
  err(m: string): TraceError { return new TraceError(m, this.n, this.line); }
}
