import type { Command } from 'commander';

/** Registers the `podnet kubelet` subcommand(s). Owned by the kubelet area. */
export function register(program: Command): void {
  void program;
}
