import { PolisError, proc } from '@polis/core';

const TABLE = /^[A-Za-z0-9_]{1,32}$/;

export function checkTable(table: string): void {
  if (!TABLE.test(table)) throw new PolisError('network.invalid', `bad nftables table name ${table}`);
}

/** Applies one nft script as one transaction (all or nothing). */
export async function nftApply(table: string, script: string, what: string): Promise<void> {
  if (script === '') return;
  try {
    await proc.run('nft', ['-f', '-'], { input: script });
  } catch (err) {
    throw new PolisError('network.setup_failed', `${what} in the balancer table ip ${table} failed`, {
      cause: err,
      context: { table },
    });
  }
}

/** The named counters of the table (empty when the table does not exist). */
export async function readCounters(table: string): Promise<Map<string, { packets: number; bytes: number }>> {
  const res = await proc.run('nft', ['-j', 'list', 'counters', 'table', 'ip', table], { okCodes: [0, 1] });
  const out = new Map<string, { packets: number; bytes: number }>();
  if (res.code !== 0) return out;
  const doc = JSON.parse(res.stdout || '{}') as {
    nftables?: { counter?: { name: string; packets: number; bytes: number } }[];
  };
  for (const item of doc.nftables ?? []) {
    if (item.counter)
      out.set(item.counter.name, { packets: item.counter.packets, bytes: item.counter.bytes });
  }
  return out;
}

/** Whether this process can change nftables (nft installed, privileged): probed once. */
let usable: Promise<boolean> | undefined;
export function nftUsable(): Promise<boolean> {
  usable ??= proc
    .run('nft', ['list', 'tables'])
    .then(() => true)
    .catch(() => false);
  return usable;
}

/** Deletes the table if it exists. */
export async function dropTable(table: string): Promise<void> {
  checkTable(table);
  await nftApply(table, `table ip ${table} {}\ndelete table ip ${table}\n`, 'deleting the table');
}
