import type { Command } from 'commander';

/** Registers `podnet calico crds`: Calico's CustomResourceDefinitions as a manifest for `kubectl apply -f -`. */
export function register(program: Command): void {
  const calico = program.command('calico').description('calico mode: cluster setup');
  calico.command('crds')
    .description('print Calico\'s CustomResourceDefinitions (the text of manifests/calico-crds.yaml) for kubectl apply -f -')
    .action(async () => {
      const { calicoCrdsYaml } = await import('../../calico/crds.js');
      process.stdout.write(calicoCrdsYaml());
    });
}
