import { which } from '@polis/core';
import type { CriDeps } from './deps.js';
import { versionInfo } from '../daemon/system.js';

export const CRI_API_VERSION = 'v1';

export function version(): object {
  return {
    version: '0.1.0',
    runtimeName: 'polis',
    runtimeVersion: versionInfo().Version,
    runtimeApiVersion: CRI_API_VERSION,
  };
}

/**
 * Status: RuntimeReady while the daemon answers and its OCI runtime and catatonit are there;
 * NetworkReady when the default bridge network exists.
 */
export function status(deps: CriDeps, runtimeBinary: string): object {
  const runtimeOk = which(runtimeBinary) !== undefined && which('catatonit') !== undefined;
  let networkOk = true;
  let networkMessage = '';
  try {
    if (deps.networks && !deps.networks.list().some((n) => n.name === 'bridge')) {
      networkOk = false;
      networkMessage = 'the default bridge network is missing';
    }
  } catch (err) {
    networkOk = false;
    networkMessage = (err as Error).message;
  }
  return {
    status: {
      conditions: [
        {
          type: 'RuntimeReady',
          status: runtimeOk,
          reason: runtimeOk ? '' : 'RuntimeMissing',
          message: runtimeOk ? '' : `${runtimeBinary} or catatonit not found`,
        },
        {
          type: 'NetworkReady',
          status: networkOk,
          reason: networkOk ? '' : 'NetworkPluginNotReady',
          message: networkMessage,
        },
      ],
    },
    info: {},
    runtimeHandlers: [{ name: '', features: { recursiveReadOnlyMounts: false, userNamespaces: false } }],
    features: { supplementalGroupsPolicy: false },
  };
}
