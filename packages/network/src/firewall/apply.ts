import { PolisError, proc } from '@polis/core';
import { renderFirewall, renderPortChange, type FirewallState, type PublishedPort } from './render.js';

const TABLE = /^[A-Za-z0-9_]{1,32}$/;

function checkTable(table: string): void {
  if (!TABLE.test(table)) throw new PolisError('network.invalid', `bad nftables table name ${table}`);
}

async function nft(table: string, script: string, what: string): Promise<void> {
  try {
    await proc.run('nft', ['-f', '-'], { input: script });
  } catch (err) {
    throw new PolisError('network.setup_failed', `${what} in the firewall table ip ${table} failed`, {
      cause: err,
      context: { table },
    });
  }
}

/** Replaces Polis's table with one built from `state`, in one nft transaction (all or nothing). */
export async function applyFirewall(table: string, state: FirewallState): Promise<void> {
  checkTable(table);
  await nft(table, renderFirewall(table, state), 'rebuilding the rules');
}

/** Adds or deletes published ports in the existing table (all in one transaction). */
export async function changePorts(
  table: string,
  op: 'add' | 'delete',
  ports: readonly PublishedPort[],
): Promise<void> {
  checkTable(table);
  const script = renderPortChange(table, op, ports);
  if (script !== '') await nft(table, script, `${op === 'add' ? 'adding' : 'deleting'} published ports`);
}

/** Deletes Polis's table if it exists; no other table is touched. */
export async function removeFirewall(table: string): Promise<void> {
  checkTable(table);
  await proc.run('nft', ['-f', '-'], { input: `table ip ${table} {}\ndelete table ip ${table}\n` });
}
