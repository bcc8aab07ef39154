/** Parsing of the Go-template subset: text and actions, then a tree of nodes. */
import { TemplateError } from './values.js';

export type Arg =
  | { kind: 'field'; base: 'dot' | 'var' | 'paren'; name?: string; inner?: Pipeline; path: string[] }
  | { kind: 'lit'; value: unknown }
  | { kind: 'ident'; name: string };
export type Command = Arg[];
export interface Pipeline {
  decl: string[];
  cmds: Command[];
}
export type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline } | Block;
export interface Block {
  kind: 'if' | 'with' | 'range';
  pipe: Pipeline;
  body: Node[];
  otherwise: Node[];
}

// ---- lexing: text and actions ------------------------------------------------------------------------

type Piece = { text: string } | { action: string };

export function lex(source: string): Piece[] {
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

export class Parser {
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
