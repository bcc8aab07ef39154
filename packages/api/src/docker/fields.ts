import { invalid } from '../http/errors.js';

type Json = Record<string, unknown>;

/**
 * Typed reads of one JSON object of a request body. `null` and absent are the same (Go's zero values);
 * a value of the wrong type is a 400 naming the field, as the Go decoder's error would.
 */
export class Fields {
  constructor(
    private readonly obj: Json,
    private readonly path: string,
  ) {}

  static of(value: unknown, path: string): Fields {
    if (value === undefined || value === null) return new Fields({}, path);
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${path}: expected an object`);
    return new Fields(value as Json, path);
  }

  name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  private object(key: string): object | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${this.name(key)}: expected an object`);
    return v as object;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalid(`${this.name(key)}: expected a string`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.raw(key);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw invalid(`${this.name(key)}: expected a boolean`);
    return v;
  }

  int(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw invalid(`${this.name(key)}: expected an integer`);
    return v;
  }

  strings(key: string): string[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw invalid(`${this.name(key)}: expected a list of strings`);
    }
    return v;
  }

  /** Docker's StrSlice: a list, or a single string meaning a one-element list; null stays null. */
  strSlice(key: string): string[] | null {
    const v = this.raw(key);
    if (v === undefined) return null;
    if (typeof v === 'string') return [v];
    return this.strings(key);
  }

  stringMap(key: string): Record<string, string> {
    const v = this.object(key);
    if (v === undefined) return {};
    if (!Object.values(v).every((x) => typeof x === 'string')) {
      throw invalid(`${this.name(key)}: expected an object of strings`);
    }
    return { ...(v as Record<string, string>) };
  }

  /** Keys of a Go `map[string]struct{}` (ExposedPorts, Volumes). */
  keys(key: string): string[] {
    return Object.keys(this.object(key) ?? {});
  }

  child(key: string): Fields {
    return Fields.of(this.raw(key), this.name(key));
  }

  list(key: string): Fields[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw invalid(`${this.name(key)}: expected a list`);
    return v.map((item, i) => Fields.of(item, `${this.name(key)}[${i}]`));
  }
}
