/**
 * Docker's reference grammar (github.com/distribution/reference), as regular expressions.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain '/'] path-component ['/' path-component]*
 *   domain    := host [':' port]
 */
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const name = `(?:${domainAndPort}/)?${remoteName}`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/** Groups: 1 name, 2 tag, 3 digest. */
export const REFERENCE_RE = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
/** Groups: 1 domain (may be undefined), 2 path. */
export const NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const TAG_RE = new RegExp(`^${tag}$`);
/** A bare 64-hex image id, which Docker refuses as a repository name. */
export const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

export const NAME_TOTAL_LENGTH_MAX = 255;
/** Inputs longer than this are rejected before any regular expression runs. */
export const INPUT_LENGTH_MAX = 1024;
