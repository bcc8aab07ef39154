import { isIP } from 'node:net';
import type { CreateNetworkOptions } from '@polis/network';
import { readJson } from '../../http/body.js';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import type { ApiDeps } from '../../types.js';
import { networkEvent } from './events.js';
import { networksOf } from './service.js';

/** `10.1.0.0/16` (or an IPv6 CIDR); Docker's words for anything else. */
function checkCidr(value: string): string {
  const [ip = '', bits, ...rest] = value.split('/');
  const family = isIP(ip);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits) || Number(bits) > max) {
    throw invalid(`invalid CIDR address: ${value}`);
  }
  return value;
}

/**
 * The body of `POST /networks/create` as the network layer's options. Settings Polis has no way to
 * honour (other drivers, IPv6, swarm's ingress and config networks, several pools) are refused.
 */
export function createOptionsFrom(body: unknown): CreateNetworkOptions {
  const f = Fields.of(body, '');
  const name = f.str('Name') ?? '';
  if (name.trim() === '') throw invalid('network name is required');
  const driver = f.str('Driver') || 'bridge';
  if (driver !== 'bridge') throw invalid(`network driver "${driver}" is not supported (use bridge)`);
  if (f.bool('EnableIPv6')) throw invalid('IPv6 networks are not supported yet');
  if (f.bool('Ingress')) throw invalid('ingress networks are a swarm feature and are not supported');
  if (f.bool('ConfigOnly') || f.child('ConfigFrom').str('Network'))
    throw invalid('config-only networks are not supported');
  const ipam = f.child('IPAM');
  const ipamDriver = ipam.str('Driver') || 'default';
  if (ipamDriver !== 'default') throw invalid(`IPAM driver "${ipamDriver}" is not supported (use default)`);
  if (Object.keys(ipam.stringMap('Options')).length > 0) throw invalid('IPAM options are not supported');
  const pools = ipam.list('Config');
  if (pools.length > 1) throw invalid('only one IPAM pool (one subnet) per network is supported');
  const options: CreateNetworkOptions = {
    name,
    driver,
    internal: f.bool('Internal'),
    labels: f.stringMap('Labels'),
    options: f.stringMap('Options'),
    checkDuplicate: f.bool('CheckDuplicate'),
  };
  const pool = pools[0];
  if (pool) {
    if (Object.keys(pool.stringMap('AuxiliaryAddresses')).length > 0)
      throw invalid('auxiliary addresses are not supported');
    const subnet = pool.str('Subnet') || undefined;
    const ipRange = pool.str('IPRange') || undefined;
    const gateway = pool.str('Gateway') || undefined;
    if (subnet !== undefined) options.subnet = checkCidr(subnet);
    if (ipRange !== undefined) {
      if (subnet === undefined) throw invalid('an IP range needs a subnet (--subnet)');
      options.ipRange = checkCidr(ipRange);
    }
    if (gateway !== undefined) {
      if (isIP(gateway) === 0) throw invalid(`invalid gateway address: ${gateway}`);
      if (subnet === undefined) throw invalid('a gateway needs a subnet (--subnet)');
      options.gateway = gateway;
    }
  }
  return options;
}

export function createNetworkRoute(router: Router, deps: ApiDeps): void {
  router.add('POST', '/networks/create', async ({ req, reply }) => {
    const networks = networksOf(deps);
    const record = await networks.create(createOptionsFrom(await readJson(req)));
    deps.events?.publish(networkEvent('create', record));
    reply.json(201, { Id: record.id, Warning: '' });
  });
}
