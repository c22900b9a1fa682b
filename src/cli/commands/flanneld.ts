import type { Command } from 'commander';

/** Registers the `podnet flanneld` subcommand(s). Owned by the flanneld area. */
export function register(program: Command): void {
  void program;
}
