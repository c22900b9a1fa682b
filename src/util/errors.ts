/** Base class of every podnet error: a stable machine-readable `code` plus a human message. */
export class PodnetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A command (ip, iptables-restore, nft, …) exited non-zero or could not start. */
export class CommandError extends PodnetError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('ECOMMAND', `${argv.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`);
  }
}
