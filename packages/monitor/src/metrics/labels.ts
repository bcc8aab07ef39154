/** Longest label value kept: a name or image reference past this is cut, so one odd record cannot bloat a scrape. */
export const MAX_LABEL_VALUE = 256;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A label value as Prometheus stores it comfortably: control characters (a newline in a label would be
 * escaped by the exposition format, but breaks many tools downstream) become spaces, invalid UTF-16
 * halves are dropped, and the value is cut at MAX_LABEL_VALUE characters.
 */
export function labelValue(text: string | undefined): string {
  if (text === undefined) return '';
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(LONE_SURROGATE, '');
  return clean.length > MAX_LABEL_VALUE ? clean.slice(0, MAX_LABEL_VALUE) : clean;
}

/**
 * An event action without its detail: Docker writes `exec_start: sh -c …` and `health_status: healthy`,
 * and a command line per series would grow without bound.
 */
export function eventAction(action: string): string {
  const colon = action.indexOf(':');
  return labelValue(colon < 0 ? action : action.slice(0, colon));
}

/** `2xx`, `4xx`, …: errors are counted per class, not per code. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
