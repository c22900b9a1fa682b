import type { Command } from 'commander';

/** Registers the `podnet agent` subcommand(s). Owned by the agent area. */
export function register(program: Command): void {
  void program;
}
