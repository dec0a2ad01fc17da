/**
 * Where the CPU went during a measurement: CPU time of the host, of Chromium and of this driver,
 * each by thread, and of the whole machine, read from Linux's /proc before and after. Thread time is
 * the first field of /proc/<pid>/task/<tid>/schedstat (ns on a CPU, from the scheduler's clock):
 * the tick-sampled utime/stime of .../stat read near zero for busy threads on this project's
 * Firecracker VMs. A thread that ends between the snapshots is not counted. Elsewhere (no /proc) the
 * readings are null and the benchmark says so.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One thread's time on a CPU, ns, with its process and name. */
interface ThreadTime {
  pid: number;
  /** The thread's name; a process's main thread is named by the process (Chromium's by its --type=). */
  comm: string;
  ns: number;
}

/** A snapshot: every thread of the processes asked for, and the machine's busy and total jiffies. */
export interface CpuSnapshot {
  atMs: number;
  threads: Map<number, ThreadTime>;
  machineBusy: number;
  machineTotal: number;
}

/** Cores used per group and per thread of it between two snapshots. */
export interface CpuUse {
  seconds: number;
  /** Per group: cores (CPU s per wall s) in all, and its busiest threads (name: cores), busiest first. */
  groups: { name: string; cores: number; threads: { comm: string; cores: number }[] }[];
  /** The whole machine's busy cores (from /proc/stat) and how many it has. */
  machine: { cores: number; of: number };
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The process's name (comm) and parent pid from /proc/<pid>/stat; null if it is gone. */
function procStat(pid: number): { comm: string; ppid: number } | null {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return null;
  const close = s.lastIndexOf(')');
  return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(s.slice(close + 2).split(' ')[1]) };
}

/** How a process's main thread is labelled: Chromium's by its --type= (renderer, gpu-process…, none: browser). */
function mainLabel(pid: number, comm: string): string {
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/); // Chromium rewrites its argv as one string
  if (!/chrom/.test(comm)) return `${comm} main`;
  const type = args.find((a) => a.startsWith('--type='));
  return `${type ? type.slice('--type='.length) : 'browser'} main`;
}

/** `root` and every process below it (Chromium's zygote, renderer, GPU and utility processes). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (st) children.set(st.ppid, [...(children.get(st.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Busy and total jiffies of all CPUs (/proc/stat's first line; busy = all but idle and iowait). */
function machineJiffies(): { busy: number; total: number } {
  const f = (read('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

/** Every thread of `pids` now; null where there is no /proc (not Linux). */
export function cpuSnapshot(pids: readonly number[]): CpuSnapshot | null {
  if (read('/proc/self/schedstat') === null) return null;
  const threads = new Map<number, ThreadTime>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const t of tids) {
      const sched = read(`/proc/${pid}/task/${t}/schedstat`);
      const comm = read(`/proc/${pid}/task/${t}/comm`);
      if (!sched || !comm) continue;
      const name = Number(t) === pid ? mainLabel(pid, comm.trim()) : comm.trim();
      threads.set(Number(t), { pid, comm: name, ns: Number(sched.split(' ')[0]) });
    }
  }
  const m = machineJiffies();
  return { atMs: performance.now(), threads, machineBusy: m.busy, machineTotal: m.total };
}

/**
 * Cores used between `a` and `b`, grouped by `groupOf(pid)` (null: left out); a thread that started
 * in between counts from 0. Each group lists its `top` busiest threads.
 */
export function cpuUse(a: CpuSnapshot, b: CpuSnapshot, groupOf: (pid: number) => string | null, top = 4): CpuUse {
  const seconds = (b.atMs - a.atMs) / 1000;
  const groups = new Map<string, { comm: string; cores: number }[]>();
  for (const [tid, t] of b.threads) {
    const name = groupOf(t.pid);
    if (name === null) continue;
    const cores = (t.ns - (a.threads.get(tid)?.ns ?? 0)) / 1e9 / seconds;
    groups.set(name, [...(groups.get(name) ?? []), { comm: t.comm, cores }]);
  }
  const cpus = (read('/proc/stat') ?? '').split('\n').filter((l) => /^cpu\d/.test(l)).length;
  const busy = (b.machineBusy - a.machineBusy) / Math.max(1, b.machineTotal - a.machineTotal);
  return {
    seconds,
    groups: [...groups].map(([name, ts]) => ({ name, cores: ts.reduce((s, t) => s + t.cores, 0), threads: ts.sort((x, y) => y.cores - x.cores).slice(0, top) })),
    machine: { cores: busy * cpus, of: cpus },
  };
}

/** "host 0.81 cores (node 0.36, …); chromium 0.96 cores (…); machine 1.91 of 2 cores busy". */
export function formatCpuUse(u: CpuUse, fmt: (x: number) => string): string {
  const groups = u.groups.map((g) => `${g.name} ${fmt(g.cores)} cores (${g.threads.map((t) => `${t.comm} ${fmt(t.cores)}`).join(', ')})`);
  return `${groups.join('; ')}; machine ${fmt(u.machine.cores)} of ${u.machine.of} cores busy`;
}
