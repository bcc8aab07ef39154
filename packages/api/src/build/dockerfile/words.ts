/** Variables visible to an instruction: build args in use and the stage's ENV, by name. */
export type Vars = ReadonlyMap<string, string>;

export class WordError extends Error {}

/**
 * Docker's shell lexer (moby `shell.Lex`) for the instructions it expands: words split on unquoted
 * blanks, single quotes literal, double quotes with `$` expansion and `\` before `"`, `$`, `\`, the
 * escape character outside quotes taking the next character literally, and `$VAR`, `${VAR}`,
 * `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`, `${VAR:?msg}`.
 * Returns the words; `used` collects each variable name read (the cache keys on build args in use).
 */
export function expandWords(input: string, vars: Vars, escape = '\\', used?: Set<string>): string[] {
  return new Lexer(input, vars, escape, used).words();
}

/** One word: like expandWords, but blanks are kept (WORKDIR, USER, the value of `ENV k v`). */
export function expandWord(input: string, vars: Vars, escape = '\\', used?: Set<string>): string {
  return new Lexer(input, vars, escape, used, true).words().join('');
}

class Lexer {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly vars: Vars,
    private readonly escape: string,
    private readonly used: Set<string> | undefined,
    private readonly single = false,
  ) {}

  words(): string[] {
    const out: string[] = [];
    let word = '';
    let inWord = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (!this.single && (c === ' ' || c === '\t' || c === '\n')) {
        if (inWord) out.push(word);
        word = '';
        inWord = false;
        this.i++;
        continue;
      }
      if (c === this.escape) {
        inWord = true;
        this.i++;
        if (this.i < this.s.length) word += this.s[this.i++];
        else word += c;
      } else if (c === "'") {
        inWord = true;
        word += this.singleQuoted();
      } else if (c === '"') {
        inWord = true;
        word += this.doubleQuoted();
      } else if (c === '$') {
        // An unquoted expansion to nothing makes no word (the shell's rule, and Docker's).
        const value = this.dollar();
        if (value !== '') inWord = true;
        word += value;
      } else {
        inWord = true;
        word += c;
        this.i++;
      }
    }
    if (inWord) out.push(word);
    return out;
  }

  private singleQuoted(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new WordError('unexpected end of statement while looking for matching single-quote');
    const text = this.s.slice(this.i, end);
    this.i = end + 1;
    return text;
  }

  private doubleQuoted(): string {
    this.i++;
    let text = '';
    for (;;) {
      if (this.i >= this.s.length)
        throw new WordError('unexpected end of statement while looking for matching double-quote');
      const c = this.s[this.i] as string;
      if (c === '"') {
        this.i++;
        return text;
      }
      if (c === '$') {
        text += this.dollar();
        continue;
      }
      if (c === this.escape && this.i + 1 < this.s.length && '"$`\\'.includes(this.s[this.i + 1] as string)) {
        text += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      text += c;
      this.i++;
    }
  }

  private dollar(): string {
    this.i++;
    const c = this.s[this.i];
    if (c === '{') return this.braced();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) return '$';
    this.i += m[0].length;
    return this.lookup(m[0]) ?? '';
  }

  private braced(): string {
    this.i++;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) throw new WordError(`bad substitution in ${this.s}`);
    const name = m[0];
    this.i += name.length;
    const value = this.lookup(name);
    if (this.s[this.i] === '}') {
      this.i++;
      return value ?? '';
    }
    const op = /^(:?[-+?])/.exec(this.s.slice(this.i));
    if (!op) throw new WordError(`unsupported modifier in \${${name}…}`);
    this.i += (op[1] as string).length;
    const word = this.until('}');
    const colon = (op[1] as string).startsWith(':');
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    switch ((op[1] as string).slice(-1)) {
      case '-':
        return set ? (value as string) : word;
      case '+':
        return set ? word : '';
      default:
        if (!set) throw new WordError(`${name}: ${word || 'is not allowed to be unset'}`);
        return value as string;
    }
  }

  /** The (expanded) text up to an unescaped `end`. */
  private until(end: string): string {
    let text = '';
    for (;;) {
      if (this.i >= this.s.length) throw new WordError(`missing '${end}' in ${this.s}`);
      const c = this.s[this.i] as string;
      if (c === end) {
        this.i++;
        return text;
      }
      if (c === '$') text += this.dollar();
      else if (c === "'") text += this.singleQuoted();
      else if (c === '"') text += this.doubleQuoted();
      else if (c === this.escape && this.i + 1 < this.s.length) {
        text += this.s[this.i + 1];
        this.i += 2;
      } else {
        text += c;
        this.i++;
      }
    }
  }

  private lookup(name: string): string | undefined {
    this.used?.add(name);
    return this.vars.get(name);
  }
}
