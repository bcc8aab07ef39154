import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devicesFromMapping } from './devices.js';

test('--device: the node with its numbers and mode at the container path; a missing or plain file is refused', async () => {
  const [dev] = await devicesFromMapping({
    pathOnHost: '/dev/null',
    pathInContainer: '/dev/mynull',
    cgroupPermissions: 'rw',
  });
  assert.deepEqual(
    { ...dev, fileMode: undefined, uid: undefined, gid: undefined },
    {
      path: '/dev/mynull',
      type: 'c',
      major: 1,
      minor: 3,
      permissions: 'rw',
      fileMode: undefined,
      uid: undefined,
      gid: undefined,
    },
  );
  await assert.rejects(
    devicesFromMapping({
      pathOnHost: '/dev/nope-polis',
      pathInContainer: '/dev/x',
      cgroupPermissions: 'rwm',
    }),
    {
      code: 'request.invalid',
      message:
        'error gathering device information while adding custom device "/dev/nope-polis": no such file or directory',
    },
  );
  await assert.rejects(
    devicesFromMapping({ pathOnHost: '/etc/passwd', pathInContainer: '/dev/x', cgroupPermissions: 'rwm' }),
    { message: /"\/etc\/passwd": not a device node/ },
  );
});
