/**
 * The XenGT sysfs control interface, /sys/kernel/vgt/..., emulated over the mediator. Reads return
 * the text a real node gives (with the trailing newline); writes take what `echo` would send.
 * Errors are ApiError with errno-style wording. Source: XenGT setup guides (seeds 000/001,
 * section "Display Switch"): control/foreground_vm, vm<domid>/ directories; and the KVMGT mdev
 * type directory (GVT-g kvmgt.c: available_instances, description, device_api, name).
 */
import { ApiError } from '../../shared/api';
import type { Mediator } from './mediator';
import { vgpuTypes } from './vgpu-types';
import { PORT_NAMES } from '../../shared/ports';
import { PORT_NODES, readPhysicalPortNode, readPortNode, writePortNode } from './sysfs-ports';

export const SYSFS_ROOT = '/sys/kernel/vgt';
/** The GVT-g (KVMGT) mdev parent: the vGPU types of the integrated GPU at 00:02.0. */
export const MDEV_TYPES = '/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types';
const MDEV_TYPE_ATTRS = ['available_instances', 'description', 'device_api', 'name'];

/** Normalise a user path: absolute, no trailing slash, no `.`/`..` games outside the root. */
function normalise(path: string): string {
  const parts: string[] = [];
  for (const p of path.trim().split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

/** Read a node; throws ApiError('not_found') for a missing path, ('invalid') for a directory. */
export function sysfsRead(m: Mediator, path: string): string {
  const p = normalise(path);
  if (p === `${SYSFS_ROOT}/control/foreground_vm`) return `${m.foreground}\n`;
  const portNode = p.match(/^\/sys\/kernel\/vgt\/vm(\d+)\/(PORT_[A-E])\/(\w+)$/);
  if (portNode) {
    const v = m.vgpu(Number(portNode[1]));
    const value = v && readPortNode(v, portNode[2], portNode[3]);
    if (value !== undefined) return value;
  }
  const phys = p.match(/^\/sys\/kernel\/vgt\/control\/(PORT_[A-E])\/(\w+)$/);
  if (phys) {
    const value = readPhysicalPortNode(m, phys[1], phys[2]);
    if (value !== undefined) return value;
  }
  const vm = p.match(/^\/sys\/kernel\/vgt\/vm(\d+)\/(\w+)$/);
  if (vm) {
    const v = m.vgpu(Number(vm[1]));
    if (v) {
      if (vm[2] === 'vgt_id') return `${v.id}\n`;
      if (vm[2] === 'aperture_base') return `0x${v.alloc.lowGm.base.toString(16)}\n`;
      if (vm[2] === 'aperture_sz') return `${v.alloc.lowGm.size >>> 20}\n`;
      if (vm[2] === 'gm_sz') return `${(v.alloc.lowGm.size + v.alloc.highGm.size) / 2 ** 20}\n`;
      if (vm[2] === 'fence_base') return `${v.alloc.fenceBase}\n`;
      if (vm[2] === 'fence_sz') return `${v.alloc.fenceCount}\n`;
      if (vm[2] === 'untracked_mmio') return [...v.untrackedMmio].map(([o, c]) => `0x${o.toString(16).padStart(6, '0')} reads ${c.reads} writes ${c.writes}\n`).join('');
      if (vm[2] === 'log') return v.log.map((l) => l + '\n').join('');
    }
  }
  const mdev = p.startsWith(`${MDEV_TYPES}/i915-`) ? p.slice(MDEV_TYPES.length + 6).split('/') : null;
  if (mdev?.length === 2) {
    const t = vgpuTypes(m.pool).find((x) => x.name === mdev[0]);
    if (t && mdev[1] === 'available_instances') return `${t.availableInstances}\n`;
    if (t && mdev[1] === 'description') return t.description;
    if (t && mdev[1] === 'device_api') return 'vfio-pci\n';
    if (t && mdev[1] === 'name') return `${t.name}\n`;
  }
  if (sysfsList(m, p)) throw new ApiError('invalid', `${p}: Is a directory`);
  throw new ApiError('not_found', `${p}: No such file or directory`);
}

/** Entries of a directory node, or undefined when `path` is not a directory. */
export function sysfsList(m: Mediator, path: string): string[] | undefined {
  const p = normalise(path);
  if (p === SYSFS_ROOT) return ['control', ...m.vgpus().map((v) => `vm${v.domid}`)];
  if (p === `${SYSFS_ROOT}/control`) return ['foreground_vm', ...PORT_NAMES];
  const physDir = p.match(/^\/sys\/kernel\/vgt\/control\/(PORT_[A-E])$/);
  if (physDir) return ['connection', 'edid', 'type'];
  const portDir = p.match(/^\/sys\/kernel\/vgt\/vm(\d+)\/(PORT_[A-E])$/);
  if (portDir && m.vgpu(Number(portDir[1]))) return PORT_NODES;
  const vm = p.match(/^\/sys\/kernel\/vgt\/vm(\d+)$/);
  if (vm && m.vgpu(Number(vm[1]))) return [...PORT_NAMES, 'aperture_base', 'aperture_sz', 'fence_base', 'fence_sz', 'gm_sz', 'log', 'untracked_mmio', 'vgt_id'];
  const types = vgpuTypes(m.pool).map((t) => `i915-${t.name}`);
  if (p === MDEV_TYPES) return types;
  if (types.some((t) => p === `${MDEV_TYPES}/${t}`)) return MDEV_TYPE_ATTRS;
  return undefined;
}

/** Write a node; foreground_vm takes a domid. Throws ApiError with the reason (EINVAL, EAGAIN, ENOENT). */
export function sysfsWrite(m: Mediator, path: string, value: string): void {
  const p = normalise(path);
  if (p === `${SYSFS_ROOT}/control/foreground_vm`) {
    const text = value.trim();
    if (!/^\d+$/.test(text)) throw new ApiError('invalid', `${p}: write error: Invalid argument (expected a domain id, got '${text}')`);
    m.setForeground(Number(text));
    return;
  }
  const portNode = p.match(/^\/sys\/kernel\/vgt\/vm(\d+)\/(PORT_[A-E])\/(\w+)$/);
  if (portNode) {
    const v = m.vgpu(Number(portNode[1]));
    if (!v) throw new ApiError('not_found', `${p}: No such file or directory`);
    writePortNode(m, v, portNode[2], portNode[3], value);
    return;
  }
  if (sysfsList(m, p)) throw new ApiError('invalid', `${p}: Is a directory`);
  try {
    sysfsRead(m, p);
  } catch {
    throw new ApiError('not_found', `${p}: No such file or directory`);
  }
  throw new ApiError('invalid', `${p}: write error: Permission denied (read-only attribute)`);
}
