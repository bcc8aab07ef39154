import { randomBytes } from 'node:crypto';

/** A 64-hex-character id, as Docker's. Never all digits, so a short id is never mistaken for a number. */
export function generateId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (/[a-f]/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. */
export const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

const ADJECTIVES = [
  'admiring',
  'amazing',
  'bold',
  'brave',
  'busy',
  'calm',
  'clever',
  'cool',
  'dazzling',
  'eager',
  'elastic',
  'epic',
  'festive',
  'focused',
  'friendly',
  'gallant',
  'gifted',
  'happy',
  'hopeful',
  'jolly',
  'keen',
  'kind',
  'lucid',
  'modest',
  'nice',
  'optimistic',
  'peaceful',
  'quirky',
  'serene',
  'sharp',
  'stoic',
  'sweet',
  'tender',
  'trusting',
  'upbeat',
  'vibrant',
  'wizardly',
  'youthful',
  'zealous',
  'zen',
];
const THINKERS = [
  'archimedes',
  'aristotle',
  'hypatia',
  'euclid',
  'pythagoras',
  'thales',
  'plato',
  'socrates',
  'democritus',
  'heraclitus',
  'zeno',
  'solon',
  'pericles',
  'herodotus',
  'thucydides',
  'sappho',
  'anaximander',
  'eratosthenes',
  'hipparchus',
  'ptolemy',
  'galen',
  'diogenes',
  'epicurus',
  'aspasia',
];

/** A readable random name (`adjective_thinker`) for containers created without one. */
export function generateName(): string {
  const pick = <T>(xs: readonly T[]): T => xs[randomBytes(2).readUInt16BE(0) % xs.length] as T;
  return `${pick(ADJECTIVES)}_${pick(THINKERS)}`;
}
