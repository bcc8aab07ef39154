import { stringify } from 'yaml';
import type { ProjectModel } from './model.js';

/** `compose config`: the normalised project as YAML. */
export function projectYaml(project: ProjectModel): string {
  return stringify(project);
}
