import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMANDS, GROUPS, type Entry } from './registry.js';

function entries(): Array<[string, Entry]> {
  return [
    ...Object.entries(COMMANDS),
    ...Object.entries(GROUPS).flatMap(([group, g]) =>
      Object.entries(g.commands).map(([verb, e]): [string, Entry] => [`${group} ${verb}`, e]),
    ),
  ];
}

describe('command registry', () => {
  it('every command loads a module with a spec and a run function', async () => {
    for (const [name, entry] of entries()) {
      assert.equal(typeof entry.load, 'function', `${name}: no loader`);
      const mod = await entry.load();
      assert.equal(typeof mod.run, 'function', `${name}: no run`);
      assert.ok(mod.spec, `${name}: no spec`);
    }
  });

  it('loads commands by literal paths only, which the bundlers of the shipped executable follow', () => {
    const source = readFileSync(new URL('../src/registry.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(
      source,
      /import\(`/,
      'a template-literal import() is invisible to esbuild and bun build',
    );
  });
});
