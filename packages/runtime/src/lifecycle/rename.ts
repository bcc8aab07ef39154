import { PolisError } from '@polis/core';
import { emit, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { validateName } from './create.js';

export async function renameContainer(
  ctx: RuntimeContext,
  reference: string,
  newName: string,
): Promise<void> {
  if (!newName) throw new PolisError('request.invalid', 'Neither old nor new names may be empty');
  const name = validateName(newName);
  const id = resolveContainer(ctx.store, reference).id;
  await ctx.locks.run(id, async () => {
    const record = resolveContainer(ctx.store, id);
    const oldName = record.name;
    if (oldName === name) {
      throw new PolisError(
        'container.name_in_use',
        `Renaming a container with the same name as its current name`,
      );
    }
    record.name = name;
    ctx.store.update(record);
    emit(ctx, 'rename', record, { oldName: `/${oldName}` });
  });
}
