import { test } from 'node:test';
import { proc } from '@polis/core';
import { renderFirewall, renderPortChange } from './render.js';
import { state } from '../testing/firewall-state.js';

// nft needs CAP_NET_ADMIN even in check mode, hence a host test.
test('nft accepts the text (check mode, nothing applied), with and without networks', async () => {
  await proc.run('nft', ['-c', '-f', '-'], { input: renderFirewall('polis_check', state) });
  const changes = renderPortChange('polis_check', 'add', state.ports);
  await proc.run('nft', ['-c', '-f', '-'], {
    input: renderFirewall('polis_check', { ...state, ports: [] }) + changes,
  });
  await proc.run('nft', ['-c', '-f', '-'], {
    input: renderFirewall('polis_check', { networks: [], ports: [] }),
  });
});
