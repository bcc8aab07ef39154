export { createScheduler } from './create-scheduler.js';
export { hostCapacity, parseCpuList, parseMemTotal, type HostCapacityOptions } from './host-capacity.js';
export { formatCpuList } from './cpu-list.js';
export { parseReservation } from './parse-reservation.js';
