import { PolisError } from '@polis/core';

/** One instruction as written: its keyword, the rest of its (joined) line, and any heredoc bodies. */
export interface RawInstruction {
  /** Upper-cased keyword (`RUN`, `COPY`, …). */
  keyword: string;
  /** Everything after the keyword, continuation lines joined, leading blanks trimmed. */
  rest: string;
  /** The instruction as written, for error messages and history (`RUN echo hi`). */
  original: string;
  /** 1-based line of the keyword. */
  line: number;
  heredocs: Heredoc[];
}

export interface Heredoc {
  /** The word after `<<` (quotes removed). */
  name: string;
  /** The lines between the marker and the terminator, each ending in `\n`. */
  content: string;
  /** `<<"EOF"` or `<<'EOF'`: no expansion inside (the shell's rule). */
  quoted: boolean;
  /** `<<-EOF`: leading tabs were stripped. */
  stripTabs: boolean;
}

export interface SplitDockerfile {
  escape: string;
  instructions: RawInstruction[];
}

/** Instructions whose line may open heredocs (Dockerfile 1.4 syntax). */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_MARKER = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

export function parseError(file: string, line: number, message: string): PolisError {
  return new PolisError(
    'build.dockerfile_invalid',
    `Dockerfile parse error on line ${line} of ${file}: ${message}`,
    {
      context: { file, line },
    },
  );
}

/**
 * Splits a Dockerfile into instructions as Docker's parser does: parser directives (`# escape=`) only
 * before anything else, comment lines dropped (also inside a continuation), a line ending in the escape
 * character continued on the next, empty continuation lines skipped, heredoc bodies taken verbatim.
 */
export function splitDockerfile(text: string, file: string): SplitDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Directives: `# name=value` lines at the very top; the first other line ends them.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(lines[i] as string);
    if (!m) break;
    const name = (m[1] as string).toLowerCase();
    if (name !== 'escape' && name !== 'syntax' && name !== 'check') break;
    if (seen.has(name)) throw parseError(file, i + 1, `only one ${name} parser directive can be used`);
    seen.add(name);
    if (name === 'escape') {
      const value = m[2] as string;
      if (value !== '\\' && value !== '`')
        throw parseError(file, i + 1, `invalid escape token '${value}' does not match ` + '` or \\');
      escape = value;
    }
  }
  const instructions: RawInstruction[] = [];
  while (i < lines.length) {
    const first = lines[i] as string;
    const start = i;
    i++;
    if (/^\s*$/.test(first) || /^\s*#/.test(first)) continue;
    let joined = first;
    const physical = [first];
    while (endsWithEscape(joined, escape)) {
      joined = stripEscape(joined, escape);
      // Comments and empty lines inside a continuation are skipped (Docker warns about the latter).
      while (i < lines.length && (/^\s*#/.test(lines[i] as string) || /^\s*$/.test(lines[i] as string))) i++;
      if (i >= lines.length) break;
      joined += lines[i] as string;
      physical.push(lines[i] as string);
      i++;
    }
    const m = /^\s*([A-Za-z]+)(\s+|$)(.*)$/s.exec(joined);
    if (!m) throw parseError(file, start + 1, `unknown instruction: ${joined.trim().split(/\s+/)[0] ?? ''}`);
    const keyword = (m[1] as string).toUpperCase();
    const rest = (m[3] as string).trim();
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && !rest.startsWith('[')) {
      for (const h of rest.matchAll(HEREDOC_MARKER)) {
        const stripTabs = h[1] === '-';
        const name = h[3] as string;
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const raw = lines[i] as string;
          i++;
          const candidate = stripTabs ? raw.replace(/^\t+/, '') : raw;
          if (candidate === name) {
            closed = true;
            break;
          }
          body.push(candidate);
        }
        if (!closed) throw parseError(file, start + 1, `unterminated heredoc ${name}`);
        heredocs.push({
          name,
          content: body.map((l) => `${l}\n`).join(''),
          quoted: h[2] !== '',
          stripTabs,
        });
      }
    }
    instructions.push({ keyword, rest, original: `${keyword} ${rest}`.trim(), line: start + 1, heredocs });
  }
  return { escape, instructions };
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.replace(/[ \t]+$/, '').endsWith(escape);
}

function stripEscape(line: string, escape: string): string {
  const trimmed = line.replace(/[ \t]+$/, '');
  return trimmed.slice(0, trimmed.length - escape.length);
}
