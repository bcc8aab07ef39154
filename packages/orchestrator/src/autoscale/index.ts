export { createAutoscaler } from './create-autoscaler.js';
export { parseAutoscale, AUTOSCALE_DEFAULTS } from './parse-autoscale.js';
export { parseComposeDuration } from './duration.js';
