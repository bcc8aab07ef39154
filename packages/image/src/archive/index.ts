export { saveImages } from './save.js';
export { loadImages } from './load.js';
export { supportsArchives, type ArchiveService } from './types.js';
