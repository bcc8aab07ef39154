export { EventLog, type EventQuery } from './events/log.js';
export { containerEvent, imageEvent, nowNanos, type DockerEvent, type EventType } from './events/event.js';
export { eventMatches, validateEventFilters } from './events/filter.js';
export * from './stats/index.js';
export { HealthMonitor, type HealthHost } from './healthcheck/monitor.js';
export * from './health/index.js';
export * from './metrics/index.js';
export * from './alerts/index.js';
