import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ContainerSummary, DiskUsageResponse, ImageSummary, Volume } from '@polis/sdk/engine';
import { render } from '../../format/render.js';
import { summaryRows } from './df.js';

it('system df sums and reclaims as the docker CLI does', () => {
  const image = (Size: number, SharedSize: number, Containers: number): ImageSummary =>
    ({ Size, SharedSize, Containers }) as ImageSummary;
  const container = (State: string, SizeRw: number): ContainerSummary =>
    ({ State, SizeRw }) as ContainerSummary;
  const volume = (Size: number, RefCount: number): Volume => ({ UsageData: { Size, RefCount } }) as Volume;
  const du: DiskUsageResponse = {
    LayersSize: 3_000_000,
    // In use: 2 MB, of which 0.5 MB shared with the unused image; so 1.5 MB stays.
    Images: [image(2_000_000, 500_000, 1), image(1_500_000, 500_000, 0)],
    Containers: [container('running', 1000), container('exited', 3000), container('paused', 0)],
    Volumes: [volume(5_000_000, 1), volume(1_000_000, 0), volume(-1, 0)],
    BuildCache: [],
  };
  const table = render(
    'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
    summaryRows(du),
    { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
  );
  assert.equal(
    table,
    [
      'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
      'Images          2         1         3MB       1.5MB (50%)',
      'Containers      3         2         4kB       3kB (75%)',
      'Local Volumes   3         1         6MB       1MB (16%)',
      'Build Cache     0         0         0B        0B',
      '',
    ].join('\n'),
  );
});
