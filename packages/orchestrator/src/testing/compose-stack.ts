import type { ComposeLike } from '../kube/compose-like.js';

/** The test stack: a web server with a health check, a seed job filling its volume, a client. */
export const STACK: ComposeLike = {
  name: 'demo',
  services: {
    web: {
      image: 'docker.io/library/nginx:alpine',
      ports: ['8080:80'],
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O- http://localhost/ || exit 1'],
        interval: '5s',
        timeout: '3s',
        retries: 5,
        start_period: '2s',
      },
      deploy: {
        replicas: 2,
        resources: { reservations: { cpus: '0.25', memory: '64M' }, limits: { cpus: '1', memory: '256m' } },
      },
      volumes: ['data:/usr/share/nginx/html:ro'],
      environment: { NGINX_ENTRYPOINT_QUIET_LOGS: '1', UNSET: null },
      depends_on: { seed: { condition: 'service_completed_successfully' } },
    },
    seed: {
      image: 'docker.io/library/busybox:latest',
      command: ['sh', '-c', 'echo hello from polis > /data/index.html'],
      volumes: [{ type: 'volume', source: 'data', target: '/data' }],
    },
    client: {
      image: 'docker.io/library/busybox:latest',
      command: 'sh -c "wget -q -O- http://web/ && sleep 3600"',
      environment: ['TARGET=http://web/', 'FROM_SHELL'],
      depends_on: { web: { condition: 'service_healthy' } },
      'x-unknown-extension': { tolerated: true },
    },
  },
  volumes: { data: {} },
  networks: { default: {} },
  'x-anything': 1,
};
