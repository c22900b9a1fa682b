import type { Command } from 'commander';

/** Registers the `podnet dns` subcommand(s). Owned by the dns area. */
export function register(program: Command): void {
  void program;
}
