import { invalidBackup } from './tar-block.js';

/**
 * What the restore lets tar extract: names under `./` with no `..`, no empty or `.` parts, none twice,
 * none below a symlink the archive made (tar would follow it out of the volume), hard links only to a
 * file the archive made before. A symlink's target is stored as it is and never followed.
 */
export class Confinement {
  private readonly seen = new Set<string>();
  private readonly symlinks = new Set<string>();
  private readonly linkable = new Set<string>();

  /** The name as a volume-relative path (`.` for the volume's root), or a refusal. */
  static normalize(name: string): string {
    if (name === '.' || name === './') return '.';
    if (!name.startsWith('./')) throw invalidBackup(`entry ${JSON.stringify(name)} is not inside the volume`);
    const parts = name.slice(2).replace(/\/$/, '').split('/');
    for (const part of parts) {
      if (part === '' || part === '.' || part === '..') {
        throw invalidBackup(`entry ${JSON.stringify(name)} is not inside the volume`);
      }
    }
    return parts.join('/');
  }

  private checkParents(path: string, original: string): void {
    let at = path.indexOf('/');
    while (at !== -1) {
      if (this.symlinks.has(path.slice(0, at))) {
        throw invalidBackup(`entry ${JSON.stringify(original)} lies below a symlink of the archive`);
      }
      at = path.indexOf('/', at + 1);
    }
  }

  /** Checks one data entry (tar type flag, effective name and link name) and records it. */
  admit(type: string, name: string, linkname: string): void {
    const path = Confinement.normalize(name);
    this.checkParents(path, name);
    if (this.seen.has(path)) throw invalidBackup(`entry ${JSON.stringify(name)} appears twice`);
    if (path === '.' && type !== '5') throw invalidBackup('the volume root is not a directory');
    switch (type) {
      case '0':
      case '\0':
      case '7':
      case '6':
        this.linkable.add(path);
        break;
      case '5':
        break;
      case '2':
        this.symlinks.add(path);
        break;
      case '1': {
        const target = Confinement.normalize(linkname);
        this.checkParents(target, linkname);
        if (!this.linkable.has(target)) {
          throw invalidBackup(
            `hard link ${JSON.stringify(name)} points at ${JSON.stringify(linkname)}, no file of the archive before it`,
          );
        }
        this.linkable.add(path);
        break;
      }
      case '3':
      case '4':
        throw invalidBackup(
          `entry ${JSON.stringify(name)} is a device node, which a volume restore does not make`,
        );
      default:
        throw invalidBackup(
          `entry ${JSON.stringify(name)} has an unsupported tar type ${JSON.stringify(type)}`,
        );
    }
    this.seen.add(path);
  }
}
