import type { Command } from 'commander';

/** Registers the `podnet proxy` subcommand(s). Owned by the proxy area. */
export function register(program: Command): void {
  void program;
}
