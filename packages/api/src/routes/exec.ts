import type { ExecConfig, ExecRecord } from '@polis/runtime';
import { readJson } from '../http/body.js';
import { invalid } from '../http/errors.js';
import { intParam } from '../http/query.js';
import type { Router } from '../http/router.js';
import { readBodyJson } from '../http/upgraded-body.js';
import { Fields } from '../docker/fields.js';
import { MULTIPLEXED, RAW_STREAM, pumpEntries } from '../stream/frames.js';
import type { ApiDeps } from '../types.js';

export function execConfigFromBody(body: unknown): ExecConfig {
  const f = Fields.of(body, '');
  const cmd = f.strings('Cmd');
  if (cmd.length === 0) throw invalid('No exec command specified');
  const config: ExecConfig = {
    cmd,
    env: f.strings('Env'),
    tty: f.bool('Tty'),
    attachStdin: f.bool('AttachStdin'),
    attachStdout: f.bool('AttachStdout'),
    attachStderr: f.bool('AttachStderr'),
    privileged: f.bool('Privileged'),
  };
  const user = f.str('User');
  if (user) config.user = user;
  const workingDir = f.str('WorkingDir');
  if (workingDir) {
    if (!workingDir.startsWith('/'))
      throw invalid(`the working directory '${workingDir}' is invalid, it needs to be an absolute path`);
    config.workingDir = workingDir;
  }
  const detachKeys = f.str('DetachKeys');
  if (detachKeys) config.detachKeys = detachKeys;
  return config;
}

/** `GET /exec/{id}/json` in Docker's shape. */
export function execInspect(r: ExecRecord): Record<string, unknown> {
  return {
    ID: r.id,
    Running: r.running,
    ExitCode: r.exitCode ?? null,
    ProcessConfig: {
      tty: r.config.tty,
      entrypoint: r.config.cmd[0],
      arguments: r.config.cmd.slice(1),
      privileged: r.config.privileged,
      ...(r.config.user ? { user: r.config.user } : {}),
    },
    OpenStdin: r.config.attachStdin,
    OpenStderr: r.config.attachStderr,
    OpenStdout: r.config.attachStdout,
    CanRemove: false,
    ContainerID: r.containerId,
    DetachKeys: r.config.detachKeys ?? '',
    Pid: r.pid,
  };
}

/** Docker's exec endpoints: create, start (hijacked or detached), resize, inspect. */
export function execRoutes(router: Router, deps: ApiDeps): void {
  const c = deps.containers;
  router.add('POST', '/containers/{id}/exec', async ({ req, params, reply }) => {
    const record = c.createExec(params.id as string, execConfigFromBody(await readJson(req)));
    reply.json(201, { Id: record.id });
  });
  router.add(
    'POST',
    '/exec/{id}/start',
    async ({ req, params, reply }) => {
      const upgraded = req.headers.upgrade !== undefined;
      const body = Fields.of(await readBodyJson(req, reply.input(), upgraded), '');
      const id = params.id as string;
      const exec = c.inspectExec(id);
      if (body.bool('Detach')) {
        await c.startExec(id, { detach: true });
        reply.empty(200);
        return;
      }
      const tty = exec.config.tty;
      const entries = await c.startExec(id, { detach: false, stdin: reply.input() }, reply.signal);
      const out = reply.stream(tty ? RAW_STREAM : MULTIPLEXED);
      await pumpEntries(entries, out, { tty, timestamps: false }, reply.signal);
      reply.end();
    },
    { hijack: true },
  );
  router.add('POST', '/exec/{id}/resize', async ({ params, query, reply }) => {
    const h = intParam(query, 'h') ?? 0;
    const w = intParam(query, 'w') ?? 0;
    if (h < 0 || w < 0) throw invalid('Bad parameters: h and w must be positive');
    await c.resizeExec(params.id as string, h, w);
    reply.empty(200);
  });
  router.add('GET', '/exec/{id}/json', ({ params, reply }) => {
    reply.json(200, execInspect(c.inspectExec(params.id as string)));
  });
}
