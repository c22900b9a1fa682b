import type { Command } from 'commander';

/** Registers the `podnet apiserver` subcommand(s). Owned by the apiserver area. */
export function register(program: Command): void {
  void program;
}
