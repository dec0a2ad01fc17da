/**
 * Names of the simulated guest workloads a domain may run (`gvt_workload=` in its config): shared
 * by the config checker (vm/) and the guest that runs them (guest/).
 */
export const HOSTILE_SCENARIOS = [
  'ggtt-outside',
  'ggtt-foreign-frame',
  'fence-steal',
  'lri-privileged',
  'batch-foreign',
  'batch-loop',
  'blit-foreign',
  'malformed',
  'oversized',
  'pvinfo-reserved',
  'irq-storm',
  'mmio-sweep',
  'ppgtt-outside',
  'ppgtt-foreign-frame',
  'ppgtt-shadow-tables',
  'ppgtt-batch-foreign',
] as const;
export type HostileScenario = (typeof HOSTILE_SCENARIOS)[number];

/** `desktop` (default), `idle`, `hostile:all` and `hostile:<scenario>` for each scenario. */
export const WORKLOAD_NAMES: readonly string[] = ['desktop', 'idle', 'hostile:all', ...HOSTILE_SCENARIOS.map((s) => `hostile:${s}`)];
