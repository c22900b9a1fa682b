import type { Command } from 'commander';

/** Registers the `podnet cni` subcommand(s). Owned by the cni area. */
export function register(program: Command): void {
  void program;
}
