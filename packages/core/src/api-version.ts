/** The Docker Engine API version Polis speaks (the server's newest, the SDK's requests) and the oldest it accepts. */
export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';
