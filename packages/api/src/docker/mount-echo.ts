type Json = Record<string, unknown>;

/**
 * One HostConfig.Mounts entry as Docker writes it back: Go's `mount.Mount` after a decode and an encode,
 * so only its known fields, each left out at its zero value (`omitempty`); an options object given, even
 * empty, stays. Called after the entry has been parsed, so the types are already checked.
 */
export function mountEcho(raw: unknown): Json {
  const m = raw as Json;
  const out = pick(m, ['Type', 'Source', 'Target', 'ReadOnly', 'Consistency']);
  if (isObject(m.BindOptions)) {
    out.BindOptions = pick(m.BindOptions, [
      'Propagation',
      'NonRecursive',
      'CreateMountpoint',
      'ReadOnlyNonRecursive',
      'ReadOnlyForceRecursive',
    ]);
  }
  if (isObject(m.VolumeOptions)) {
    const v = m.VolumeOptions;
    const volume = pick(v, ['NoCopy', 'Labels', 'Subpath']);
    if (isObject(v.DriverConfig)) volume.DriverConfig = pick(v.DriverConfig, ['Name', 'Options']);
    out.VolumeOptions = volume;
  }
  if (isObject(m.TmpfsOptions)) out.TmpfsOptions = pick(m.TmpfsOptions, ['SizeBytes', 'Mode', 'Options']);
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The keys present with a non-zero value (Go's `omitempty`: false, 0, "", null, empty maps and lists go). */
function pick(obj: Json, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined || v === null || v === false || v === 0 || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    out[key] = v;
  }
  return out;
}
