import { PolisError } from '@polis/core';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's rule for a local volume's name, in Docker's words. */
export function checkVolumeName(name: string): void {
  if (name.length < 2 && /^[a-zA-Z0-9]*$/.test(name)) {
    throw new PolisError(
      'volume.invalid',
      `create ${name}: volume name is too short, names should be at least two alphanumeric characters`,
      { context: { name } },
    );
  }
  if (!NAME.test(name)) {
    throw new PolisError(
      'volume.invalid',
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      { context: { name } },
    );
  }
}
