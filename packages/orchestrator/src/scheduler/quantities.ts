/** Sizes and CPU counts as Kubernetes' scheduler words them: "3.0GiB", "512MiB", "1.5". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(1)}${units[unit]}`;
}

export function formatCpus(cpus: number): string {
  // Rounded to millicores, as a reservation is never finer than that.
  return String(Math.round(cpus * 1000) / 1000);
}
