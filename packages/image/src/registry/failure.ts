import { PolisError, type ErrorCode } from '@polis/core';
import { readBody, type HttpResponse } from './http.js';

interface DistributionError {
  code?: string;
  message?: string;
}

/** Turns a registry's error answer into a PolisError, keeping the registry's own words. */
export async function registryFailure(
  response: HttpResponse,
  what: 'ping' | 'manifest' | 'blob' | 'upload',
  reference = '',
): Promise<PolisError> {
  let errors: DistributionError[] = [];
  try {
    const body = await readBody(response, 64 * 1024);
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: DistributionError[] };
    if (Array.isArray(parsed.errors)) errors = parsed.errors;
  } catch {
    errors = [];
  }
  const first = errors[0];
  const detail = first
    ? `${(first.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${first.message ?? ''}`
    : '';
  const host = response.url.host;
  const context = { registry: host, status: response.status, reference };
  const status = response.status;
  let code: ErrorCode;
  let message: string;
  if (status === 401) {
    code = 'registry.unauthorized';
    message = `unauthorized: authentication required for ${host}${detail ? ` (${detail})` : ''}`;
  } else if (status === 403) {
    code = 'registry.denied';
    message = `denied: requested access to the resource is denied${detail ? ` (${detail})` : ''}`;
  } else if (status === 404 && what === 'manifest') {
    code = 'registry.manifest_unknown';
    message = `manifest for ${reference} not found: ${detail || 'manifest unknown'}`;
  } else if (status === 404 && what === 'blob') {
    code = 'registry.blob_unknown';
    message = `blob ${reference} not found on ${host}: ${detail || 'blob unknown'}`;
  } else {
    code = 'registry.protocol';
    message = `${host} answered ${status} to the ${what} request${detail ? `: ${detail}` : ''}`;
  }
  return new PolisError(code, message, { context });
}
