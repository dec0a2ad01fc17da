export const MIB = 1 << 20;

export function mib(bytes: number): string {
  return `${Math.round(bytes / MIB)} MiB`;
}

/** "Domain-0 (0)", "vm1 (3)": how xl users name a domain. */
export function domainLabel(name: string, domid: number): string {
  return `${name} (${domid})`;
}
