/**
 * Guests for the browser-mode benchmarks: `count` copies of the seeds' xlexample.hvm shape, each
 * with the seeds' monitor.config (the ASUS PA238: 1920x1080), created with `gvt-desk xl create`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from './browser-mode';

/** An xl config like xlexample.hvm, with the PA238 monitor.config. */
function guestConfig(name: string, monitorConfig: string): string {
  return [`name = '${name}'`, "builder = 'hvm'", 'memory = 1024', 'vgt = 1', 'vgt_low_gm_sz = 64', 'vgt_high_gm_sz = 192', 'vgt_fence_sz = 4', `vgt_monitor_config_file = '${monitorConfig}'`, ''].join('\n');
}

/** Create `count` guests (domids 1..count); throws with xl's message if one does not start. */
export async function createPa238Guests(app: App, root: string, count: number, prefix: string): Promise<number[]> {
  const monitors = join(app.dataDir, 'monitors');
  mkdirSync(monitors, { recursive: true });
  const monitor = join(monitors, 'pa238.config');
  copyFileSync(join(root, 'resources/examples/monitor.config'), monitor);
  const domids: number[] = [];
  for (let i = 1; i <= count; i++) {
    const file = join(app.dataDir, `${prefix}${i}.cfg`);
    writeFileSync(file, guestConfig(`${prefix}${i}`, monitor));
    const r = await app.cli('xl', 'create', file);
    if (r.code !== 0) throw new Error(`xl create ${file}: ${r.stderr}`);
    domids.push(i);
  }
  return domids;
}
