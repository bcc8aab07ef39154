/** One sample of a Prometheus text exposition. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromScrape {
  /** Metric family name → its TYPE. */
  types: Map<string, string>;
  samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    const name = m[1] as string;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** The family a sample name belongs to, given the TYPEs declared so far. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const [family, type] of types) {
    for (const suffix of SUFFIXES[type] ?? []) if (suffix !== '' && name === family + suffix) return family;
  }
  return undefined;
}

/**
 * A strict reader of the text exposition format (0.0.4): every line is empty, a HELP, a TYPE or a sample
 * of a family whose TYPE came before; label names, escapes and values as the format allows; no series twice.
 * Throws on the first line that breaks a rule.
 */
export function parsePromText(text: string): PromScrape {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const seen = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines (prom-client puts one between families); nothing else is skipped.
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (HELP.test(line)) continue;
      const t = TYPE.exec(line);
      if (!t) throw new Error(`not a HELP or TYPE line: ${line}`);
      if (types.has(t[1] as string)) throw new Error(`TYPE twice: ${line}`);
      types.set(t[1] as string, t[2] as string);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const name = m[1] as string;
    if (familyOf(name, types) === undefined) throw new Error(`sample before its TYPE: ${line}`);
    const labels = parseLabels(m[2] ?? '', line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`series twice: ${line}`);
    seen.add(key);
    samples.push({ name, labels, value: parseValue(m[3] as string, line) });
  }
  return { types, samples };
}

/** The samples named NAME whose labels include every pair of WANT. */
export function series(scrape: PromScrape, name: string, want: Record<string, string> = {}): PromSample[] {
  return scrape.samples.filter(
    (s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v),
  );
}

/** The one value of NAME with labels WANT, 0 when the series is absent (a counter not yet incremented). */
export function valueOf(scrape: PromScrape, name: string, want: Record<string, string> = {}): number {
  const found = series(scrape, name, want);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(want)} names ${found.length} series`);
  return found[0]?.value ?? 0;
}
