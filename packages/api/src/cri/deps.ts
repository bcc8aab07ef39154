import type { ContainerService } from '@polis/runtime';
import type { ImageService } from '@polis/image';
import type { NetworkService } from '@polis/network';
import type { StatsSampler } from '@polis/monitor';
import type { StreamingServer } from './streaming/server.js';

export interface CriDeps {
  containers: ContainerService;
  images: ImageService;
  networks?: NetworkService;
  stats: StatsSampler;
  dataRoot: string;
  execRoot: string;
  /** Serves the URLs Exec, Attach and PortForward hand out. */
  streaming: StreamingServer;
}
