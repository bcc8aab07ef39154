import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HealthReport } from '@polis/sdk/engine';
import { render } from '../../format/render.js';
import { healthRows } from './health.js';

it('system health prints one row per check, with the remedy of a failing one', () => {
  const report: HealthReport = {
    status: 'unhealthy',
    time: '2026-01-01T00:00:00.000Z',
    components: [
      {
        name: 'network',
        status: 'unhealthy',
        checks: [
          {
            name: 'bridges',
            status: 'unhealthy',
            message: 'network n (bridge pl-1 missing)',
            remedy: 'recreate',
            durationMs: 1,
          },
          { name: 'firewall', status: 'healthy', message: 'present', durationMs: 1 },
        ],
      },
    ],
  };
  const table = render('table {{.Component}}\t{{.Check}}\t{{.Status}}\t{{.Message}}', healthRows(report), {
    Component: 'COMPONENT',
    Check: 'CHECK',
    Status: 'STATUS',
    Message: 'MESSAGE',
  });
  assert.deepEqual(table.split('\n'), [
    'COMPONENT   CHECK      STATUS      MESSAGE',
    'network     bridges    unhealthy   network n (bridge pl-1 missing) → recreate',
    'network     firewall   healthy     present',
    '',
  ]);
});
