import type { Command } from 'commander';

/** Registers the `podnet lab` subcommand(s). Owned by the lab area. */
export function register(program: Command): void {
  void program;
}
