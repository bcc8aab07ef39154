// Watches container events and starts again every container with the label that dies.
//   node restart-dead.mjs polis.example.restart=yes
import { connectFromEnv, isMain } from './connect-from-env.mjs';

/**
 * Restarts containers carrying LABEL (`key=value`) whenever they die, until the signal aborts. Only the
 * matching events reach us: the filters are the daemon's. Resolves with the number of restarts.
 */
export async function restartWhatDies(api, label, { signal, onRestart = () => {} } = {}) {
  let restarts = 0;
  try {
    for await (const event of api.events({
      filters: { type: ['container'], event: ['die'], label: [label] },
      signal,
    })) {
      const id = event.Actor.ID;
      try {
        await api.containers.start(id, { signal });
        restarts++;
        onRestart(id, event);
      } catch (err) {
        if (err.code !== 'container.not_found') throw err;
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  return restarts;
}

if (isMain(import.meta.url)) {
  const label = process.argv[2] ?? 'polis.example.restart=yes';
  const api = connectFromEnv();
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  console.log(`restarting containers labelled ${label} when they die; ^C to stop`);
  await restartWhatDies(api, label, {
    signal: stop.signal,
    onRestart: (id, e) =>
      console.log(`restarted ${e.Actor.Attributes.name ?? id} (exit ${e.Actor.Attributes.exitCode})`),
  });
  api.close();
}
