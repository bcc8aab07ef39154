// Runs a container and streams its logs as they come; prints the exit code.
//   node run-and-logs.mjs busybox sh -c 'for i in 1 2 3; do echo line $i; sleep 1; done'
import { connectFromEnv, isMain } from './connect-from-env.mjs';

/** Creates and starts IMAGE CMD, copies its output to `onChunk` until it exits, removes it. */
export async function runAndStreamLogs(api, image, cmd, { onChunk = () => {}, signal } = {}) {
  const { Id } = await api.containers.create({ Image: image, Cmd: cmd }, { signal });
  try {
    await api.containers.start(Id, { signal });
    let output = '';
    for await (const chunk of api.containers.logs(Id, { follow: true, signal })) {
      output += chunk.data.toString();
      onChunk(chunk);
    }
    const { StatusCode } = await api.containers.wait(Id, { signal });
    return { id: Id, exitCode: StatusCode, output };
  } finally {
    await api.containers.remove(Id, { force: true });
  }
}

if (isMain(import.meta.url)) {
  const [image = 'busybox', ...cmd] = process.argv.slice(2);
  const api = connectFromEnv();
  const { exitCode } = await runAndStreamLogs(api, image, cmd.length ? cmd : ['echo', 'hello from Polis'], {
    onChunk: (c) => (c.stream === 'stderr' ? process.stderr : process.stdout).write(c.data),
  });
  api.close();
  process.exitCode = exitCode;
}
