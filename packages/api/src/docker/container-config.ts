import type { ContainerRecord, ImageRunConfig } from '@polis/core';
import { healthcheckShape } from './healthcheck.js';

/** Looks up the run defaults of an image by id; undefined when the image is gone. */
export type ImageDefaults = (imageId: string) => ImageRunConfig | undefined;

function portMap(ports: string[]): Record<string, object> {
  return Object.fromEntries(ports.map((p) => [p, {}]));
}

/**
 * The container's Config as Docker shows it: the request merged with the image's defaults
 * (Docker stores the merged config; Polis merges at read time from the spec and the image).
 */
export function containerConfigOf(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
): Record<string, unknown> {
  const b = record.spec.basic;
  const img = image ?? {};
  const entrypoint = b.entrypoint !== undefined ? b.entrypoint : (img.Entrypoint ?? null);
  // Docker's merge: the image's Cmd applies only when the request gave no entrypoint of its own.
  const cmd = b.cmd ?? (b.entrypoint !== undefined && b.entrypoint.length > 0 ? null : (img.Cmd ?? null));
  const exposed = [...Object.keys(img.ExposedPorts ?? {}), ...b.exposedPorts];
  const config: Record<string, unknown> = {
    Hostname: record.hostname,
    Domainname: b.domainname ?? '',
    User: b.user ?? img.User ?? '',
    AttachStdin: b.attachStdin,
    AttachStdout: b.attachStdout,
    AttachStderr: b.attachStderr,
    Tty: b.tty,
    OpenStdin: b.openStdin,
    StdinOnce: b.stdinOnce,
    Env: record.process.env,
    Cmd: cmd,
    Image: record.imageRef,
    Volumes: img.Volumes ?? null,
    WorkingDir: b.workingDir ?? img.WorkingDir ?? '',
    Entrypoint: entrypoint && entrypoint.length > 0 ? entrypoint : null,
    OnBuild: img.OnBuild ?? null,
    Labels: { ...(img.Labels ?? {}), ...b.labels },
  };
  if (exposed.length > 0) config.ExposedPorts = portMap(exposed);
  const stopSignal = b.stopSignal ?? img.StopSignal;
  if (stopSignal) config.StopSignal = stopSignal;
  if (b.stopTimeout !== undefined) config.StopTimeout = b.stopTimeout;
  // Created before checks were kept in the record: the image's, as Docker's merged config has it.
  const health = healthcheckShape(record.spec.health) ?? img.Healthcheck;
  if (health) config.Healthcheck = health;
  return config;
}
