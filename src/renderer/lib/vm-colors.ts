/**
 * One colour per VM for the charts, the timeline and their legend: chosen by domid, so a VM keeps
 * its colour while it runs and two VMs running together differ unless their domids are 8 apart.
 * Canvas colours (uPlot draws on a canvas), picked to read on the dark panel.
 */
const PALETTE = ['#4c8dff', '#f0883e', '#3fb950', '#d2a8ff', '#f85149', '#39c5cf', '#e3b341', '#ff7bb0'];

export function vmColor(domid: number): string {
  return PALETTE[((domid % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
