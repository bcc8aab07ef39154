/** The ext4 image of a size-limited volume, beside its `_data`. */
export const IMAGE_FILE = 'disk.img';
/** Where the image is made; only a finished file is renamed to IMAGE_FILE, so a crash in mkfs leaves this. */
export const PARTIAL_IMAGE_FILE = 'disk.img.partial';
