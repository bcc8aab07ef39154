import type { Spec } from './oci/runtime-spec.js';

/** One small pure step of building an OCI config: takes a spec, returns a new one. */
export type SpecStep = (spec: Spec) => Spec;

/** Applies steps in order to a starting spec. */
export function composeSpec(base: Spec, ...steps: SpecStep[]): Spec {
  return steps.reduce((acc, step) => step(acc), base);
}
