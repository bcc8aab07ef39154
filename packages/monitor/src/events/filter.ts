import { PolisError } from '@polis/core';
import type { DockerEvent } from './event.js';

const KEYS = ['container', 'image', 'network', 'event', 'type', 'label', 'scope'];

export function validateEventFilters(filters: Record<string, string[]>): void {
  for (const key of Object.keys(filters)) {
    if (!KEYS.includes(key)) throw new PolisError('request.invalid', `invalid filter '${key}'`);
  }
}

function labelMatches(attrs: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq < 0 ? want in attrs : attrs[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Docker's event filters: values of one key are OR'ed, keys are AND'ed. */
export function eventMatches(e: DockerEvent, filters: Record<string, string[]>): boolean {
  const attrs = e.Actor.Attributes;
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const values = filters[key];
    return !values || values.length === 0 || values.some(test);
  };
  return (
    any('type', (v) => v === e.Type) &&
    any('event', (v) => v === e.Action || e.Action.startsWith(`${v}:`)) &&
    any('scope', (v) => v === e.scope) &&
    any('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || attrs.name === v)) &&
    any('network', (v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || attrs.name === v)) &&
    any(
      'image',
      (v) =>
        (e.Type === 'image' && (e.Actor.ID === v || e.Actor.ID.includes(v) || attrs.name === v)) ||
        attrs.image === v ||
        attrs.image === `${v}:latest`,
    ) &&
    (filters.label ?? []).every((l) => labelMatches(attrs, l))
  );
}
