import { posix } from 'node:path';

interface Pattern {
  negate: boolean;
  re: RegExp;
}

/**
 * `.dockerignore` as Docker reads it (moby `patternmatcher`): one pattern per line, `#` comments,
 * blank lines skipped, paths cleaned and taken relative to the context (a leading `/` dropped), `*`,
 * `?` and `[…]` within one path element, `**` across any number of them, `!` re-including what an
 * earlier line excluded. A path is excluded when the last pattern matching it, or one of its parent
 * directories, is not a negation.
 */
export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1).trim();
      line = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
      if (line === '' || line === '.') continue;
      this.patterns.push({ negate, re: new RegExp(`^${toRegex(line)}$`) });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether a context-relative path (`a/b.txt`, no leading `./`) is left out. */
  excludes(path: string): boolean {
    const clean = posix.normalize(path).replace(/^\.?\/+/, '');
    const parents: string[] = [];
    const parts = clean.split('/');
    for (let i = 1; i <= parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let excluded = false;
    for (const p of this.patterns) {
      if (parents.some((candidate) => p.re.test(candidate))) excluded = !p.negate;
    }
    return excluded;
  }

  /**
   * Whether a directory must still be walked although it is excluded: a later `!` pattern may
   * re-include something inside it.
   */
  mayReinclude(): boolean {
    return this.patterns.some((p) => p.negate);
  }
}

function toRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      out += escapeRe(pattern[++i] as string);
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
}
