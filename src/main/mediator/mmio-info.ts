/**
 * The MMIO info table's shape, as GVT-g's: one entry per tracked register (or register block) with
 * its name, size, attribute flags and optional read/write handlers; a trapped access to an offset
 * with no handler goes to the plain vreg default. Entries are registered per concern by the files
 * under handlers/ and assembled by mmio-table.ts. Source: GVT-g handlers.c (struct
 * intel_gvt_mmio_info, setup_mmio_info, the MMIO_D / MMIO_DH / MMIO_DFH / MMIO_RING_DFH macros,
 * intel_vgpu_default_mmio_read / intel_vgpu_default_mmio_write), mmio.h (F_RO as ro_mask ~0,
 * F_MODE_MASK, F_CMD_ACCESS).
 */
import { applyMasked } from '../../shared/regs';
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import type { Gvt } from './gvt';
import type { Vgpu } from './vgpu';

/** Read-only for the guest (writes are dropped): GVT-g's ro_mask of all ones. */
export const F_RO = 1 << 0;
/** Masked ("mode") register: the high 16 bits of a write select which low bits change. */
export const F_MODE_MASK = 1 << 1;
/** A guest command (LRI/LRM/LRR/SRM) may access it. */
export const F_CMD_ACCESS = 1 << 2;

/**
 * A read handler (GVT-g gvt_mmio_func for reads): the dword a guest read of `offset` (bytes from
 * BAR0) returns. Handlers that only add a side effect call defaultMmioRead themselves.
 */
export type MmioReadHandler = (gvt: Gvt, v: Vgpu, offset: number, info: MmioInfo) => number;
/**
 * A write handler: emulates a guest write of `value` (unsigned) at `offset`; `nowNs` is the
 * emulated time of the access. Handlers that keep the value in vreg call defaultMmioWrite.
 */
export type MmioWriteHandler = (gvt: Gvt, v: Vgpu, offset: number, value: number, nowNs: number, info: MmioInfo) => void;

/** One MMIO info entry (GVT-g struct intel_gvt_mmio_info plus its attribute flags). */
export interface MmioInfo {
  /** First byte offset from BAR0, dword aligned. */
  readonly offset: number;
  /** The register's i915 name (IGT's spelling where IGT lists it). */
  readonly name: string;
  /** Bytes covered (a multiple of 4). */
  readonly size: number;
  /** F_RO | F_MODE_MASK | F_CMD_ACCESS. */
  readonly flags: number;
  readonly read?: MmioReadHandler;
  readonly write?: MmioWriteHandler;
}

/** What a per-concern file passes to `add` (size defaults to 4, flags to 0). */
export type MmioInfoSpec = Omit<MmioInfo, 'size' | 'flags'> & { size?: number; flags?: number };

/**
 * The table: a dense index by dword (offset >>> 2) into the entries, so the lookup on every trap is
 * two array loads (GVT-g hashes offsets into mmio_info_table; a dense index is faster here).
 */
export class MmioTable {
  private readonly index = new Uint16Array(MMIO_SPACE_BYTES / 4);
  /** Entries by index; slot 0 is "none". */
  private readonly infos: (MmioInfo | undefined)[] = [undefined];

  /**
   * Register an entry (setup_mmio_info). Throws on a misaligned or out-of-range entry and on an
   * offset registered twice (GVT-g: "dup mmio definition", -EEXIST).
   */
  add(spec: MmioInfoSpec): MmioInfo {
    const info: MmioInfo = { ...spec, size: spec.size ?? 4, flags: spec.flags ?? 0 };
    const hex = (n: number): string => `0x${n.toString(16)}`;
    if (info.offset % 4 || info.size % 4 || info.size <= 0 || info.offset < 0 || info.offset + info.size > MMIO_SPACE_BYTES) {
      throw new Error(`MMIO table: ${info.name} at ${hex(info.offset)} size ${info.size} is misaligned or outside the MMIO space`);
    }
    if (this.infos.length >= 0xffff) throw new Error('MMIO table: too many entries');
    const id = this.infos.length;
    for (let o = info.offset; o < info.offset + info.size; o += 4) {
      const prev = this.index[o >>> 2];
      if (prev) throw new Error(`MMIO table: dup mmio definition at ${hex(o)}: ${info.name} and ${this.infos[prev]!.name}`);
      this.index[o >>> 2] = id;
    }
    this.infos.push(info);
    return info;
  }

  /** The entry covering `offset` (a dword-aligned offset below MMIO_SPACE_BYTES), or undefined (intel_gvt_find_mmio_info). */
  find(offset: number): MmioInfo | undefined {
    return this.infos[this.index[offset >>> 2]];
  }

  /** Every entry, in registration order. */
  entries(): readonly MmioInfo[] {
    return this.infos.slice(1) as MmioInfo[];
  }
}

/** intel_vgpu_default_mmio_read: the vreg. */
export function defaultMmioRead(v: Vgpu, offset: number): number {
  return v.vreg[offset >>> 2];
}

/**
 * intel_vgpu_default_mmio_write plus the attributes intel_vgpu_mmio_reg_rw applies around it: a
 * read-only register keeps its value, a mode register takes only the bits its mask selects.
 * Returns false when the write was dropped (read-only).
 */
export function defaultMmioWrite(v: Vgpu, offset: number, value: number, info: MmioInfo | undefined): boolean {
  const flags = info?.flags ?? 0;
  if (flags & F_RO) return false;
  v.vreg[offset >>> 2] = flags & F_MODE_MASK ? applyMasked(v.vreg[offset >>> 2], value) : value;
  return true;
}
