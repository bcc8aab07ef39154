import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerIgnore } from './dockerignore.js';

test('.dockerignore patterns as Docker matches them', () => {
  const ig = new DockerIgnore(
    [
      '# comment',
      '',
      'secret.txt',
      '*.log',
      '!keep.log',
      'build/',
      '**/*.tmp',
      '/abs',
      'docs/**/draft?.md',
      'a/../b',
    ].join('\n'),
  );
  const excluded = [
    'secret.txt',
    'x.log',
    'build',
    'build/out.o',
    'deep/dir/f.tmp',
    'f.tmp',
    'abs',
    'docs/x/y/draft1.md',
    'b',
  ];
  const kept = ['keep.log', 'sub/x.log', 'secret.txt.bak', 'builder', 'docs/draft12.md', 'a', 'src/main.c'];
  for (const p of excluded) assert.equal(ig.excludes(p), true, p);
  for (const p of kept) assert.equal(ig.excludes(p), false, p);
  // A file inside an excluded directory is excluded through its parent.
  assert.equal(ig.excludes('abs/inner/file'), true);
  assert.equal(ig.mayReinclude(), true);
  assert.equal(new DockerIgnore('# only a comment\n').empty, true);
  const classes = new DockerIgnore('[a-c].txt\n[!x]y');
  assert.equal(classes.excludes('b.txt'), true);
  assert.equal(classes.excludes('d.txt'), false);
  assert.equal(classes.excludes('zy'), true);
  assert.equal(classes.excludes('xy'), false);
});
