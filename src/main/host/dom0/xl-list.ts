/**
 * `xl list`'s table, as Xen 4.6 prints it (tools/libxl/xl_cmdimpl.c list_domains): the header
 * literal with its two tabs, then `%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f` per domain.
 */
import type { DomainInfo } from '../../../shared/api';

export const XL_LIST_HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';

/** The table for the running domains of `domains` (stopped library entries are left out). */
export function formatXlList(domains: DomainInfo[]): string {
  const row = (d: DomainInfo): string =>
    `${d.name.padEnd(40)} ${String(d.domid).padStart(5)} ${String(d.memoryMiB).padStart(5)} ${String(d.vcpus).padStart(5)}     ${d.xlState}  ${d.timeS.toFixed(1).padStart(8)}`;
  return [XL_LIST_HEADER, ...domains.filter((d) => d.domid !== null).map(row)].join('\n') + '\n';
}

/** `text` with tabs expanded to 8-column stops, as a terminal shows it. */
export function expandTabs(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[^\t]*\t/g, (run) => run.slice(0, -1).padEnd((Math.floor((run.length - 1) / 8) + 1) * 8)))
    .join('\n');
}
