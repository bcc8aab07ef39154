export {
  PolisMetrics,
  METRICS_CONTENT_TYPE,
  type EngineCounts,
  type PolisMetricsOptions,
} from './registry.js';
export { CONTAINER_STATES, type ContainerSource, type SampleReader } from './containers.js';
export { eventAction, labelValue, statusClass, MAX_LABEL_VALUE } from './labels.js';
export { readContainer, type ContainerReading } from './reading.js';
