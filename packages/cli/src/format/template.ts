/**
 * A subset of Go's text/template, as docker's `--format` uses it: fields (`.State.Status`), variables,
 * pipelines, parentheses, `if`/`else`/`range`/`with`, and docker's functions (json, index, join, split,
 * lower, upper, title, pad, truncate, printf …).
 */
import { goString, lookupField, TemplateError, truthy } from './values.js';

export { TemplateError };

type Arg =
  | { kind: 'field'; base: 'dot' | 'var' | 'paren'; name?: string; inner?: Pipeline; path: string[] }
  | { kind: 'lit'; value: unknown }
  | { kind: 'ident'; name: string };
type Command = Arg[];
interface Pipeline {
  decl: string[];
  cmds: Command[];
}
type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline } | Block;
interface Block {
  kind: 'if' | 'with' | 'range';
  pipe: Pipeline;
  body: Node[];
  otherwise: Node[];
}

export type TemplateFunctions = Record<string, (...args: unknown[]) => unknown>;

/** A parsed template; `execute` renders it against a value. */
export class Template {
  private constructor(private readonly nodes: Node[]) {}

  static parse(source: string): Template {
    const parser = new Parser(lex(source));
    const nodes = parser.list(new Set());
    if (!parser.done()) throw new TemplateError(`template: unexpected {{${parser.peekKeyword()}}}`);
    return new Template(nodes);
  }

  execute(data: unknown, funcs: TemplateFunctions): string {
    const state = { funcs, vars: [new Map<string, unknown>([['$', data]])] };
    return runNodes(this.nodes, data, state);
  }
}

// ---- lexing: text and actions ------------------------------------------------------------------------

type Piece = { text: string } | { action: string };

function lex(source: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      pieces.push({ text });
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    pieces.push({ text });
    const close = findClose(source, start);
    let inner = source.slice(start, close);
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      trimNext = true;
    }
    pieces.push({ action: inner.trim() });
    i = close + 2;
  }
  return pieces;
}

function findClose(s: string, from: number): number {
  let quote = '';
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '}' && s[i + 1] === '}') return i;
  }
  throw new TemplateError('template: unclosed action');
}

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?)|(:=|[|(),=])|(\$\w*(?:\.\w+)*)|(\.(?:\w+(?:\.\w+)*)?)|(\w+))/y;

function tokenize(action: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < action.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(action);
    if (!m) {
      if (action.slice(at).trim() === '') break;
      throw new TemplateError(`template: bad syntax in action: ${action.slice(at).trim()}`);
    }
    tokens.push(m.slice(1).find((x) => x !== undefined) as string);
  }
  return tokens;
}

// ---- parsing --------------------------------------------------------------------------------------------

class Parser {
  private at = 0;
  constructor(private readonly pieces: Piece[]) {}

  done(): boolean {
    return this.at >= this.pieces.length;
  }

  peekKeyword(): string {
    const p = this.pieces[this.at];
    return p && 'action' in p ? p.action : '';
  }

  /** Parses nodes until one of the `stops` keywords (left unconsumed) or the end. */
  list(stops: Set<string>): Node[] {
    const nodes: Node[] = [];
    while (this.at < this.pieces.length) {
      const p = this.pieces[this.at] as Piece;
      if ('text' in p) {
        if (p.text !== '') nodes.push({ kind: 'text', text: p.text });
        this.at++;
        continue;
      }
      const word = p.action.split(/\s+/)[0] as string;
      if (stops.has(word)) return nodes;
      this.at++;
      if (p.action.startsWith('/*')) continue;
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(this.block(word, p.action.slice(word.length)));
      } else if (word === 'end' || word === 'else') {
        throw new TemplateError(`template: unexpected {{${word}}}`);
      } else {
        nodes.push({ kind: 'action', pipe: parsePipeline(tokenize(p.action)) });
      }
    }
    return nodes;
  }

  private block(kind: 'if' | 'with' | 'range', rest: string): Node {
    const pipe = parsePipeline(tokenize(rest));
    const body = this.list(new Set(['else', 'end']));
    let otherwise: Node[] = [];
    const p = this.pieces[this.at];
    if (!p || !('action' in p)) throw new TemplateError(`template: unexpected EOF in {{${kind}}}`);
    this.at++;
    if (p.action.startsWith('else')) {
      const chained = p.action.slice(4).trim();
      if (chained.startsWith('if ')) {
        // `{{else if x}}` is an `if` nested in the else branch that shares this block's `{{end}}`.
        otherwise = [this.block('if', chained.slice(2))];
        return { kind, pipe, body, otherwise };
      }
      otherwise = this.list(new Set(['end']));
      if (!this.pieces[this.at]) throw new TemplateError(`template: unexpected EOF in {{${kind}}}`);
      this.at++;
    }
    return { kind, pipe, body, otherwise };
  }
}

function parsePipeline(tokens: string[]): Pipeline {
  let decl: string[] = [];
  const assign = tokens.indexOf(':=');
  if (assign >= 0) {
    decl = tokens.slice(0, assign).filter((t) => t !== ',');
    tokens = tokens.slice(assign + 1);
  }
  const cmds: Command[] = [];
  let pos = 0;
  const parseArg = (): Arg => {
    const t = tokens[pos++] as string;
    if (t === '(') {
      let depth = 1;
      const start = pos;
      while (pos < tokens.length && depth > 0) {
        if (tokens[pos] === '(') depth++;
        if (tokens[pos] === ')') depth--;
        pos++;
      }
      if (depth !== 0) throw new TemplateError('template: unclosed left paren');
      const inner = parsePipeline(tokens.slice(start, pos - 1));
      let path: string[] = [];
      const next = tokens[pos];
      if (next !== undefined && /^\.\w/.test(next)) {
        path = next.slice(1).split('.');
        pos++;
      }
      return { kind: 'field', base: 'paren', inner, path };
    }
    if (t.startsWith('"')) return { kind: 'lit', value: JSON.parse(t) };
    if (t.startsWith('`')) return { kind: 'lit', value: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { kind: 'lit', value: Number(t) };
    if (t === 'true' || t === 'false') return { kind: 'lit', value: t === 'true' };
    if (t === 'nil') return { kind: 'lit', value: null };
    if (t.startsWith('$')) {
      const [name, ...path] = t.split('.');
      return { kind: 'field', base: 'var', name: name as string, path };
    }
    if (t.startsWith('.'))
      return { kind: 'field', base: 'dot', path: t === '.' ? [] : t.slice(1).split('.') };
    if (/^\w+$/.test(t)) return { kind: 'ident', name: t };
    throw new TemplateError(`template: unexpected "${t}" in command`);
  };
  let cmd: Command = [];
  while (pos < tokens.length) {
    if (tokens[pos] === '|') {
      if (cmd.length === 0) throw new TemplateError('template: missing command before |');
      cmds.push(cmd);
      cmd = [];
      pos++;
      continue;
    }
    cmd.push(parseArg());
  }
  if (cmd.length === 0) throw new TemplateError('template: missing value for command');
  cmds.push(cmd);
  return { decl, cmds };
}

// ---- execution ------------------------------------------------------------------------------------------

interface State {
  funcs: TemplateFunctions;
  vars: Map<string, unknown>[];
}

function runNodes(nodes: Node[], dot: unknown, state: State): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') {
      const value = evalPipeline(node.pipe, dot, state);
      if (node.pipe.decl.length === 0) out += goString(value);
    } else if (node.kind === 'if') {
      out += runNodes(truthy(evalPipeline(node.pipe, dot, state)) ? node.body : node.otherwise, dot, state);
    } else if (node.kind === 'with') {
      const value = evalPipeline(node.pipe, dot, state);
      out += truthy(value) ? runNodes(node.body, value, state) : runNodes(node.otherwise, dot, state);
    } else {
      out += runRange(node, dot, state);
    }
  }
  return out;
}

function runRange(node: Block, dot: unknown, state: State): string {
  const pipe = { decl: [], cmds: node.pipe.cmds };
  const value = evalPipeline(pipe, dot, state);
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.keys(value)
          .sort()
          .map((k) => [k, (value as Record<string, unknown>)[k]])
      : [];
  if (entries.length === 0) return runNodes(node.otherwise, dot, state);
  let out = '';
  for (const [key, item] of entries) {
    const scope = new Map<string, unknown>();
    const [first, second] = node.pipe.decl;
    if (second !== undefined) {
      scope.set(first as string, key);
      scope.set(second, item);
    } else if (first !== undefined) scope.set(first, item);
    state.vars.push(scope);
    out += runNodes(node.body, item, state);
    state.vars.pop();
  }
  return out;
}

function evalPipeline(pipe: Pipeline, dot: unknown, state: State): unknown {
  let value: unknown;
  let piped = false;
  for (const cmd of pipe.cmds) {
    value = evalCommand(cmd, dot, state, piped ? [value] : []);
    piped = true;
  }
  if (pipe.decl.length > 0) {
    const scope = state.vars[state.vars.length - 1] as Map<string, unknown>;
    scope.set(pipe.decl[0] as string, value);
  }
  return value;
}

function evalCommand(cmd: Command, dot: unknown, state: State, piped: unknown[]): unknown {
  const [head, ...rest] = cmd as [Arg, ...Arg[]];
  const args = (): unknown[] => [...rest.map((a) => evalArg(a, dot, state)), ...piped];
  if (head.kind === 'ident') {
    const fn = state.funcs[head.name];
    if (!fn) throw new TemplateError(`template: function "${head.name}" not defined`);
    return fn(...args());
  }
  if (head.kind === 'field' && head.path.length > 0) {
    const owner = resolve(head, dot, state, head.path.length - 1);
    const key = head.path[head.path.length - 1] as string;
    const member = lookupField(owner, key);
    if (typeof member === 'function') return (member as (...a: unknown[]) => unknown).call(owner, ...args());
    if (rest.length > 0 || piped.length > 0)
      throw new TemplateError(`template: ${key} is not a method but has arguments`);
    return member;
  }
  if (rest.length > 0 || piped.length > 0)
    throw new TemplateError("template: can't give argument to non-function");
  return evalArg(head, dot, state);
}

function evalArg(arg: Arg, dot: unknown, state: State): unknown {
  if (arg.kind === 'lit') return arg.value;
  if (arg.kind === 'ident') {
    const fn = state.funcs[arg.name];
    if (!fn) throw new TemplateError(`template: function "${arg.name}" not defined`);
    return fn();
  }
  return resolve(arg, dot, state, arg.path.length);
}

/** The value of a field chain, following the first `depth` names (methods without arguments are called). */
function resolve(arg: Extract<Arg, { kind: 'field' }>, dot: unknown, state: State, depth: number): unknown {
  let value: unknown;
  if (arg.base === 'dot') value = dot;
  else if (arg.base === 'paren') value = evalPipeline(arg.inner as Pipeline, dot, state);
  else value = variable(arg.name as string, state);
  for (const key of arg.path.slice(0, depth)) {
    const owner = value;
    value = lookupField(owner, key);
    if (typeof value === 'function') value = (value as () => unknown).call(owner);
  }
  return value;
}

function variable(name: string, state: State): unknown {
  for (let i = state.vars.length - 1; i >= 0; i--) {
    const scope = state.vars[i] as Map<string, unknown>;
    if (scope.has(name)) return scope.get(name);
  }
  throw new TemplateError(`template: undefined variable "${name}"`);
}
