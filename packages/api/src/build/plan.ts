import { PolisError } from '@polis/core';
import type { Dockerfile, Stage } from './dockerfile/types.js';

/** A stage's position, looked up by its `AS` name or its index (`--from=0`). */
export function stageIndex(df: Dockerfile, ref: string, before: number): number | undefined {
  const lower = ref.toLowerCase();
  for (const s of df.stages) if (s.index < before && s.name === lower) return s.index;
  if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
  return undefined;
}

/** The stages a stage needs first: its base when that is a stage, and every COPY --from stage. */
export function stageDeps(df: Dockerfile, stage: Stage): number[] {
  const deps = new Set<number>();
  const base = stageIndex(df, stage.base, stage.index);
  if (base !== undefined) deps.add(base);
  for (const ins of stage.instructions) {
    if (ins.kind === 'COPY' && ins.from !== undefined) {
      const i = stageIndex(df, ins.from, stage.index);
      if (i !== undefined) deps.add(i);
    }
  }
  return [...deps];
}

/** The target stage and every stage it needs, in file order. */
export function neededStages(df: Dockerfile, target?: string): Stage[] {
  let last = df.stages[df.stages.length - 1] as Stage;
  if (target !== undefined && target !== '') {
    const i = stageIndex(df, target, df.stages.length);
    if (i === undefined)
      throw new PolisError('request.invalid', `failed to reach build target ${target} in Dockerfile`);
    last = df.stages[i] as Stage;
  }
  const need = new Set<number>();
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    for (const d of stageDeps(df, s)) visit(df.stages[d] as Stage);
  };
  visit(last);
  return df.stages.filter((s) => need.has(s.index));
}
