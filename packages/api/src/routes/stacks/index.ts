import { readFileSync } from 'node:fs';
import { PolisError } from '@polis/core';
import {
  convertToKubernetes,
  loadComposeDocument,
  loadProject,
  type LoadInput,
  projectYaml,
  type ComposeFile,
  type ProjectModel,
  type StackController,
} from '@polis/orchestrator';
import { readJson } from '../../http/body.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';

function controllerOf(deps: ApiDeps): StackController {
  if (!deps.stacks) throw new PolisError('request.unavailable', 'this daemon has no stack controller');
  return deps.stacks.controller;
}

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function scaleOf(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(record(v))) {
    if (!Number.isInteger(n) || (n as number) < 0)
      throw new PolisError('request.invalid', `invalid scale for ${k}: ${String(n)}`);
    out[k] = n as number;
  }
  return out;
}

/**
 * `/polis/v1/stacks`: the desired state of compose projects, kept by polisd. `POST /polis/v1/compose/load`
 * turns compose files (as the CLI read them) into the normalised project without storing anything.
 */
/** The body of `compose/load` and `compose/convert`: the files as the CLI read them, with its environment. */
function loadInputOf(body: Record<string, unknown>): LoadInput {
  const files = (Array.isArray(body['files']) ? body['files'] : []) as ComposeFile[];
  return {
    files: files.map((f) => ({ path: String(f.path), content: String(f.content) })),
    workingDir: String(body['workingDir'] ?? '/'),
    env: record(body['env']) as Record<string, string>,
    ...(typeof body['dotenv'] === 'string' ? { dotenv: body['dotenv'] } : {}),
    ...(typeof body['projectName'] === 'string' && body['projectName']
      ? { projectName: body['projectName'] }
      : {}),
    ...(Array.isArray(body['profiles']) && body['profiles'].length
      ? { profiles: body['profiles'].map(String) }
      : {}),
    readFile: (path) => readFileSync(path, 'utf8'),
  };
}

export function stackRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/polis/v1/compose/load', async ({ req, query, reply }) => {
    const project = loadProject(loadInputOf(record(await readJson(req))));
    if (query.get('format') === 'yaml')
      reply.text(200, projectYaml(project), { 'content-type': 'application/yaml' });
    else reply.json(200, project);
  });
  // Loaded as `load` does (so errors name file and line), then converted: the manifests as YAML documents.
  router.add('POST', '/polis/v1/compose/convert', async ({ req, query, reply }) => {
    const to = query.get('to') ?? 'kubernetes';
    if (to !== 'kubernetes')
      throw new PolisError('request.invalid', `cannot convert to "${to}" (only "kubernetes")`);
    const input = loadInputOf(record(await readJson(req)));
    loadProject(input);
    const namespace = query.get('namespace');
    const manifests = convertToKubernetes(loadComposeDocument(input), namespace ? { namespace } : {});
    reply.text(200, manifests, { 'content-type': 'application/yaml' });
  });
  router.add('GET', '/polis/v1/stacks', ({ reply }) => {
    reply.json(
      200,
      deps.stacks!.store.list().map((s) => ({
        Name: s.name,
        Services: Object.keys(s.project.services),
        Stopped: s.stopped,
        UpdatedAt: s.updatedAt,
      })),
    );
  });
  router.add('GET', '/polis/v1/stacks/{name}', async ({ params, reply }) => {
    const name = params.name as string;
    const services = await controllerOf(deps).status(name);
    const stored = deps.stacks!.store.get(name);
    reply.json(200, {
      Name: name,
      Project: stored?.project,
      Previous: Object.keys(stored?.previous ?? {}),
      Stopped: stored?.stopped ?? false,
      Services: services,
    });
  });
  router.add('PUT', '/polis/v1/stacks/{name}', async ({ params, req, reply }) => {
    const body = record(await readJson(req));
    const project = record(body['project']) as unknown as ProjectModel;
    if (!project.name || !project.services)
      throw new PolisError('request.invalid', 'body needs a normalised "project"');
    if (project.name !== params.name) {
      throw new PolisError(
        'request.invalid',
        `project name ${project.name} does not match ${String(params.name)}`,
      );
    }
    await controllerOf(deps).apply(project, {
      scale: scaleOf(body['scale']),
      removeOrphans: body['removeOrphans'] === true,
    });
    reply.json(200, await controllerOf(deps).status(project.name));
  });
  router.add('DELETE', '/polis/v1/stacks/{name}', async ({ params, query, reply }) => {
    const volumes = query.get('volumes') === '1' || query.get('volumes') === 'true';
    await controllerOf(deps).remove(params.name as string, { volumes });
    reply.empty(204);
  });
  router.add('POST', '/polis/v1/stacks/{name}/services/{service}/scale', async ({ params, req, reply }) => {
    const replicas = record(await readJson(req))['replicas'];
    if (!Number.isInteger(replicas) || (replicas as number) < 0)
      throw new PolisError('request.invalid', 'replicas must be a whole number >= 0');
    await controllerOf(deps).scale(params.name as string, params.service as string, replicas as number);
    reply.empty(204);
  });
  // `polis service autoscale`: the body is the x-polis-autoscale mapping (compose's keys), or {} to remove it.
  router.add(
    'POST',
    '/polis/v1/stacks/{name}/services/{service}/autoscale',
    async ({ params, req, reply }) => {
      const body = await readJson(req);
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new PolisError('request.invalid', 'body must be an x-polis-autoscale mapping');
      const raw = body as Record<string, unknown>;
      await controllerOf(deps).setAutoscale(
        params.name as string,
        params.service as string,
        Object.keys(raw).length ? raw : undefined,
      );
      reply.empty(204);
    },
  );
  router.add('POST', '/polis/v1/stacks/{name}/services/{service}/rollback', async ({ params, reply }) => {
    await controllerOf(deps).rollback(params.name as string, params.service as string);
    reply.empty(204);
  });
  router.add('POST', '/polis/v1/stacks/{name}/stop', async ({ params, reply }) => {
    await controllerOf(deps).setStopped(params.name as string, true);
    reply.empty(204);
  });
  router.add('POST', '/polis/v1/stacks/{name}/start', async ({ params, reply }) => {
    await controllerOf(deps).setStopped(params.name as string, false);
    reply.empty(204);
  });
}
