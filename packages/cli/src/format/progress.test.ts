import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgressMessage } from '@polis/sdk/engine';
import { progressBar, ProgressRenderer } from './progress.js';

const A = 'aaaaaaaaaaaa';
const B = 'bbbbbbbbbbbb';

const PULL: ProgressMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: A },
  { status: 'Pulling fs layer', id: B },
  { status: 'Downloading', progressDetail: { current: 500_000, total: 1_000_000 }, progress: '[=>]', id: A },
  { status: 'Downloading', progressDetail: { current: 1_000_000, total: 1_000_000 }, id: A },
  { status: 'Verifying Checksum', progressDetail: {}, id: A },
  { status: 'Download complete', progressDetail: {}, id: A },
  { status: 'Already exists', progressDetail: {}, id: B },
  { status: 'Extracting', progressDetail: { current: 32_768, total: 1_000_000 }, id: A },
  { status: 'Pull complete', progressDetail: {}, id: A },
  { status: 'Digest: sha256:1234' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
];

function render(messages: ProgressMessage[], terminal: boolean, width = 200): string {
  let out = '';
  const r = new ProgressRenderer((t) => (out += t), terminal, width);
  for (const m of messages) r.render(m);
  return out;
}

/** A minimal terminal: applies newlines, carriage returns, cursor up/down and erase-line to a screen. */
function screen(output: string): string[] {
  const rows: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i] as string;
    const esc = /^\x1b\[(\d*)([ABK])/.exec(output.slice(i));
    if (esc) {
      const n = Number(esc[1] || '1');
      if (esc[2] === 'A') row = Math.max(0, row - n);
      else if (esc[2] === 'B') row += n;
      else rows[row] = '';
      while (rows.length <= row) rows.push('');
      i += esc[0].length - 1;
    } else if (c === '\n') {
      row++;
      col = 0;
      while (rows.length <= row) rows.push('');
    } else if (c === '\r') col = 0;
    else {
      const line = (rows[row] as string).padEnd(col);
      rows[row] = line.slice(0, col) + c + line.slice(col + 1);
      col++;
    }
  }
  return rows;
}

test('plain output: each status once, no bars, no escapes', () => {
  assert.equal(
    render(PULL, false),
    [
      'latest: Pulling from library/busybox',
      `${A}: Pulling fs layer`,
      `${B}: Pulling fs layer`,
      `${A}: Verifying Checksum`,
      `${A}: Download complete`,
      `${B}: Already exists`,
      `${A}: Pull complete`,
      'Digest: sha256:1234',
      'Status: Downloaded newer image for busybox:latest',
      '',
    ].join('\n'),
  );
  const repeated = render(
    [
      { status: 'Waiting', progressDetail: {}, id: A },
      { status: 'Waiting', progressDetail: {}, id: A },
    ],
    false,
  );
  assert.equal(repeated, `${A}: Waiting\n`);
});

test('terminal output: one line per layer, redrawn in place with cursor moves', () => {
  const out = render(PULL, true);
  assert.match(out, /\x1b\[2A\x1b\[2K\raaaaaaaaaaaa: Downloading \[={25}> {25}\]\s+500kB\/1MB\r\x1b\[2B/);
  assert.deepEqual(screen(out), [
    'latest: Pulling from library/busybox',
    `${A}: Pull complete`,
    `${B}: Already exists`,
    'Digest: sha256:1234',
    'Status: Downloaded newer image for busybox:latest',
    '',
  ]);
});

test('terminal output mid-download shows the bars on each layer line', () => {
  assert.deepEqual(screen(render(PULL.slice(0, 5), true)).slice(1, 3), [
    `${A}: Downloading [==================================================>]      1MB/1MB`,
    `${B}: Pulling fs layer`,
  ]);
});

test('push: aux is not printed, final lines are', () => {
  const msgs: ProgressMessage[] = [
    { status: 'The push refers to repository [localhost:5000/app]' },
    { status: 'Preparing', progressDetail: {}, id: A },
    { status: 'Pushing', progressDetail: { current: 10, total: 20 }, id: A },
    { status: 'Pushed', progressDetail: {}, id: A },
    { status: 'latest: digest: sha256:x size: 527' },
    { progressDetail: {}, aux: { Tag: 'latest', Digest: 'sha256:x', Size: 527 } },
  ];
  assert.equal(
    render(msgs, false),
    `The push refers to repository [localhost:5000/app]\n${A}: Preparing\n${A}: Pushed\nlatest: digest: sha256:x size: 527\n`,
  );
  assert.deepEqual(screen(render(msgs, true)), [
    'The push refers to repository [localhost:5000/app]',
    `${A}: Pushed`,
    'latest: digest: sha256:x size: 527',
    '',
  ]);
});

test('load: stream text as it is', () => {
  assert.equal(
    render([{ stream: 'Loaded image: busybox:latest\n' }], false),
    'Loaded image: busybox:latest\n',
  );
  assert.equal(
    render([{ stream: 'Loaded image: busybox:latest\n' }], true),
    'Loaded image: busybox:latest\n',
  );
});

test('the bar as docker draws it: narrow terminals get only the numbers', () => {
  assert.equal(progressBar({ current: 1_234_567, total: 3_400_000 }, 80), ' 1.235MB/3.4MB');
  assert.equal(progressBar({ current: 0, total: 0 }, 200), '');
  assert.equal(progressBar({ current: 2048 }, 200), ' 2.048kB');
  assert.equal(progressBar({ current: 5, total: 4 }, 80), '      5B');
  assert.equal(progressBar({ current: 1, total: 2, units: 'layers' }, 80), '1/2 layers');
});
