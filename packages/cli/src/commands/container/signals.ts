import type { Cli } from '../../cli.js';

const PROXIED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;

/** docker's --sig-proxy: the CLI's signals are sent to the container instead. Returns the stop. */
export function proxySignals(cli: Cli, id: string): () => void {
  const proxy = (signal: NodeJS.Signals): void => {
    cli.client.containers.kill(id, { signal }).catch(() => undefined);
  };
  for (const s of PROXIED) process.on(s, proxy);
  return () => {
    for (const s of PROXIED) process.off(s, proxy);
  };
}
