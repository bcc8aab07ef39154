import { PolisError, proc } from '@polis/core';
import { renderFirewall, type FirewallState } from './render.js';

const TABLE = /^[A-Za-z0-9_]{1,32}$/;

function checkTable(table: string): void {
  if (!TABLE.test(table)) throw new PolisError('network.invalid', `bad nftables table name ${table}`);
}

/** Replaces Polis's table with one built from `state`, in one nft transaction (all or nothing). */
export async function applyFirewall(table: string, state: FirewallState): Promise<void> {
  checkTable(table);
  try {
    await proc.run('nft', ['-f', '-'], { input: renderFirewall(table, state) });
  } catch (err) {
    throw new PolisError('network.setup_failed', `applying the firewall table ip ${table} failed`, {
      cause: err,
      context: { table },
    });
  }
}

/** Deletes Polis's table if it exists; no other table is touched. */
export async function removeFirewall(table: string): Promise<void> {
  checkTable(table);
  await proc.run('nft', ['-f', '-'], { input: `table ip ${table} {}\ndelete table ip ${table}\n` });
}
