// Pulls an image and draws one progress bar per layer.
//   node pull-progress.mjs localhost:5000/busybox:latest
import { connectFromEnv, isMain } from './connect-from-env.mjs';

/** `[=====>      ] 1.2/3.4 MB`, WIDTH characters wide. */
export function bar(current, total, width = 30) {
  const done = total > 0 ? Math.min(width, Math.round((current / total) * width)) : 0;
  const mb = (n) => (n / 1e6).toFixed(1);
  return `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}] ${mb(current)}/${mb(total)} MB`;
}

/** Pulls REFERENCE, writing a line per progress step to `write`; resolves with the image's id. */
export async function pullWithProgress(api, reference, { write = () => {}, signal } = {}) {
  const layers = new Map();
  for await (const p of api.images.pull(reference, { signal })) {
    if (p.id && p.total > 0) layers.set(p.id, p);
    write(
      p.total > 0
        ? `${p.id}: ${p.status} ${bar(p.current, p.total)}`
        : `${p.id ? `${p.id}: ` : ''}${p.status}`,
    );
  }
  const image = await api.images.inspect(reference, { signal });
  return { id: image.Id, layers: layers.size };
}

if (isMain(import.meta.url)) {
  const reference = process.argv[2] ?? 'busybox:latest';
  const api = connectFromEnv();
  const { id } = await pullWithProgress(api, reference, { write: (line) => console.log(line) });
  console.log(`pulled ${reference} (${id})`);
  api.close();
}
