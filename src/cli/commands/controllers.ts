import type { Command } from 'commander';

/** Registers the `podnet controllers` subcommand(s). Owned by the controllers area. */
export function register(program: Command): void {
  void program;
}
