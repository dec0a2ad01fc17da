/**
 * The Log view's lines: vgpu.log answers appended to what the view has, with a note where the
 * host's bounded log dropped lines between two reads, bounded itself (the oldest go first), and
 * each line's kind for its colour. Browser-safe and pure.
 */
import type { VgpuLog } from '../../shared/api';

/** Lines a Log view keeps (the host keeps 200 per vGPU; the view keeps what it has seen, up to this). */
export const LOG_VIEW_LINES = 1000;

export type LineKind = 'hang' | 'reset' | 'refused' | 'info' | 'gap';

export interface ViewLine {
  /** Unique within a view: the host's line number, or -(next number) for a gap note. */
  key: number;
  /** printk-style stamp of the emulated time, e.g. "[   12.345678]"; '' for a gap note. */
  stamp: string;
  text: string;
  kind: LineKind;
}

/** The kernel's print_time() layout: seconds (5 wide) and microseconds. */
export function stamp(atMs: number): string {
  const us = Math.floor(Math.max(0, atMs) * 1000);
  return `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}]`;
}

export function lineKind(text: string): LineKind {
  if (/\bhang\b/i.test(text)) return 'hang';
  if (/\breset\b/i.test(text)) return 'reset';
  if (/failsafe|dropped|refus|reject|invalid|outside|oob|not applied|ignored|fail/i.test(text)) return 'refused';
  return 'info';
}

/**
 * `lines` plus what `log` brings, read with `since` (the view's previous next): a gap note first
 * when the host had already dropped some of the lines asked for. Returns the lines (bounded) and
 * the `since` for the next read.
 */
export function appendLog(lines: readonly ViewLine[], log: VgpuLog, since: number): { lines: ViewLine[]; next: number } {
  const out = [...lines];
  if (log.first > since) {
    const lost = log.first - since;
    out.push({ key: -log.first - 1, stamp: '', text: `… ${lost} older line${lost === 1 ? '' : 's'} dropped (the vGPU log keeps its newest lines only)`, kind: 'gap' });
  }
  for (const l of log.lines) if (l.seq >= since) out.push({ key: l.seq, stamp: stamp(l.atMs), text: l.text, kind: lineKind(l.text) });
  return { lines: out.length > LOG_VIEW_LINES ? out.slice(out.length - LOG_VIEW_LINES) : out, next: log.next };
}
