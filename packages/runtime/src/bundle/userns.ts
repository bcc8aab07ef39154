import type { IdMappings, SpecStep } from '@polis/core';

/**
 * Runs the container in a user namespace of its own with the daemon's id maps, so its root is an
 * unprivileged id on the host. Comes after the security steps, which keep a `user` entry they find.
 */
export function withUserNamespace(mappings: IdMappings): SpecStep {
  return (spec) => {
    const linux = spec.linux ?? {};
    const namespaces = (linux.namespaces ?? []).filter((ns) => ns.type !== 'user');
    return {
      ...spec,
      linux: {
        ...linux,
        namespaces: [...namespaces, { type: 'user' }],
        uidMappings: mappings.uids.map((m) => ({ ...m })),
        gidMappings: mappings.gids.map((m) => ({ ...m })),
      },
    };
  };
}
