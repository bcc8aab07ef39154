/**
 * A subset of Go's text/template, as docker's `--format` uses it: fields (`.State.Status`), variables,
 * pipelines, parentheses, `if`/`else`/`range`/`with`, and docker's functions (json, index, join, split,
 * lower, upper, title, pad, truncate, printf …).
 */
import {
  lex,
  Parser,
  type Arg,
  type Block,
  type Command,
  type Node,
  type Pipeline,
} from './template-parse.js';
import { goString, lookupField, TemplateError, truthy } from './values.js';

export { TemplateError };

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
