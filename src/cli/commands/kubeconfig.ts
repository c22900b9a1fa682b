import type { Command } from 'commander';

/** Registers the `podnet kubeconfig` subcommand(s). Owned by the kubeconfig area. */
export function register(program: Command): void {
  void program;
}
