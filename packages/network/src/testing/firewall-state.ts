import type { FirewallState } from '../firewall/render.js';

/** Three networks (one internal) and IPv4/IPv6 bindings on every kind of host address. */
export const state: FirewallState = {
  networks: [
    { bridge: 'polis0', subnet: '172.17.0.0/16', internal: false },
    { bridge: 'pl-aaaaaaaaaaaa', subnet: '172.18.0.0/16', internal: false },
    { bridge: 'pl-bbbbbbbbbbbb', subnet: '10.9.0.0/24', internal: true },
  ],
  ports: [
    { protocol: 'tcp', hostIp: '', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
    { protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '172.18.0.2', containerPort: 53 },
    { protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8443, containerIp: '172.18.0.2', containerPort: 443 },
    { protocol: 'tcp', hostIp: '::', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
  ],
};
