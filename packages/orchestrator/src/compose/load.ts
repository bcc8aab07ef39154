import { basename } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { PolisError } from '@polis/core';
import { interpolateTree, parseEnvFile } from './interpolate.js';
import { mergeDocuments } from './merge.js';
import type { ProjectModel } from './model.js';
import { normaliseProject, projectNameFrom } from './normalise.js';
import { invalidFile, schemaProblems } from './validate.js';

/** The names docker-compose and `docker compose` look for, in their order. */
export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

export interface ComposeFile {
  /** As the user named it (shown in errors); absolute in the stored project. */
  path: string;
  content: string;
}

export interface LoadInput {
  files: ComposeFile[];
  /** The project directory: relative paths (binds, env_file, build) resolve against it. */
  workingDir: string;
  /** The caller's environment; it wins over `.env`. */
  env: Record<string, string | undefined>;
  /** Text of the project's `.env`, when there is one. */
  dotenv?: string;
  projectName?: string;
  profiles?: string[];
  readFile?: (path: string) => string;
}

export function loadProject(input: LoadInput): ProjectModel {
  const { merged, env, projectName } = readMerged(input);
  const profiles =
    input.profiles ?? (env['COMPOSE_PROFILES'] ? env['COMPOSE_PROFILES'].split(',').filter(Boolean) : []);
  return normaliseProject(merged, {
    projectName,
    workingDir: input.workingDir,
    configFiles: input.files.map((f) => f.path),
    env,
    profiles,
    ...(input.readFile ? { readFile: input.readFile } : {}),
  });
}

/**
 * The files validated, interpolated and merged, as a compose document named after the project — what the
 * Kubernetes conversion reads (`compose convert`); `loadProject` normalises the same document further.
 */
export function loadComposeDocument(input: LoadInput): Record<string, unknown> {
  const { merged, projectName } = readMerged(input);
  return { ...merged, name: projectName };
}

function readMerged(input: LoadInput): {
  merged: Record<string, unknown>;
  env: Record<string, string | undefined>;
  projectName: string;
} {
  if (input.files.length === 0) throw new PolisError('stack.invalid', 'no compose file given');
  const env = { ...(input.dotenv ? parseEnvFile(input.dotenv) : {}), ...input.env };
  const docs = input.files.map((f) => readDocument(f, env));
  const merged = mergeDocuments(docs);
  const explicit = input.projectName ?? env['COMPOSE_PROJECT_NAME'] ?? (merged['name'] as string | undefined);
  const projectName = projectNameFrom(explicit ?? basename(input.workingDir));
  if (!projectName)
    throw new PolisError('stack.invalid', `project name "${explicit ?? ''}" has no usable letters`);
  return { merged, env, projectName };
}

function readDocument(file: ComposeFile, env: Record<string, string | undefined>): Record<string, unknown> {
  const lines = new LineCounter();
  const doc = parseDocument(file.content, { lineCounter: lines, prettyErrors: false });
  const parseError = doc.errors[0];
  if (parseError) {
    const pos = lines.linePos(parseError.pos[0]);
    throw invalidFile(file.path, `:${pos.line}:${pos.col}`, parseError.message.split('\n')[0]!);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidFile(file.path, '', 'top-level object must be a mapping');
  }
  let data: unknown;
  try {
    data = interpolateTree(raw, env);
  } catch (err) {
    throw new PolisError('stack.invalid', `${file.path}: ${(err as Error).message}`);
  }
  const problems = schemaProblems(data);
  if (problems.length > 0) {
    const first = problems[0]!;
    const where = lineOf(doc, lines, first.pointer);
    const field = first.pointer.split('/').filter(Boolean).join('.') || '(top level)';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw invalidFile(file.path, where, `${field}: ${first.message}${more}`);
  }
  return data as Record<string, unknown>;
}

/** `:line` of the node a JSON pointer names, or of its nearest ancestor the document has. */
function lineOf(doc: Document, lines: LineCounter, pointer: string): string {
  const path: Array<string | number> = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return `:${lines.linePos(node.range[0]).line}`;
  }
  return '';
}
