export type {
  ComposeLike,
  ComposePortLike,
  ComposeResourcesLike,
  ComposeServiceLike,
  ComposeVolumeLike,
  ComposeVolumeMountLike,
} from './compose-like.js';
export { convertToKubernetes, kubeName, type ConvertOptions } from './convert.js';
export { kubernetesSchemas } from './schemas/index.js';
