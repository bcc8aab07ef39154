import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { PolisError } from '@polis/core';

/** The vendored Compose Specification schema (draft-07), see vendor/compose-spec/VERSION for its commit. */
const SCHEMA_URL = new URL('../../vendor/compose-spec/compose-spec.json', import.meta.url);

export interface SchemaProblem {
  /** JSON pointer into the document, e.g. `/services/web/ports/0`. */
  pointer: string;
  message: string;
}

type Validator = ((data: unknown) => boolean) & { errors?: Array<Record<string, unknown>> | null };
let compiled: Validator | undefined;

function validator(): Validator {
  if (!compiled) {
    const Ajv = AjvModule as unknown as new (options: Record<string, unknown>) => {
      compile(schema: unknown): Validator;
    };
    // ajv 6 (draft-07); formats such as "duration" are checked by the normaliser, not by ajv.
    const ajv = new Ajv({ allErrors: true, jsonPointers: true, unknownFormats: 'ignore', schemaId: 'auto' });
    // The schema names draft-07 by its https URL, which ajv 6 does not know by that spelling: it is checked
    // as draft-07 (ajv's default meta-schema) without the reference.
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
    delete schema['$schema'];
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Problems of one (interpolated) compose document against the schema; empty when it is valid. */
export function schemaProblems(doc: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    // oneOf/anyOf branches repeat one fault many times; the first per place is the clearest.
    const pointer = String(e['dataPath'] ?? '');
    const params = (e['params'] ?? {}) as Record<string, unknown>;
    const message =
      e['keyword'] === 'additionalProperties'
        ? `additional property "${String(params['additionalProperty'])}" is not allowed`
        : String(e['message']);
    const key = `${pointer} ${e['keyword'] === 'additionalProperties' ? message : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message });
  }
  return out;
}

export function invalidFile(file: string, where: string, message: string): PolisError {
  return new PolisError('stack.invalid', `${file}${where}: ${message}`);
}
