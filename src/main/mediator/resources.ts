/**
 * Graphics-memory and fence partitioning with GVT-g's admission control. Each vGPU gets one
 * contiguous aperture (low GM) range, one contiguous high-GM range and a contiguous fence block;
 * the host's reservation comes first. Sizes in bytes. Source: GVT-g aperture_gm.c
 * (alloc_vgpu_gm, alloc_vgpu_fence) and the 2016 setup guide (3 guests x 128 MiB aperture).
 */
import { ApiError } from '../../shared/api';
import { type GpuGeometry, type HostReservation, GVT_MAX_VGPU, MiB } from '../../shared/platform';

export interface Range {
  base: number;
  size: number;
}

export interface Allocation {
  lowGm: Range;
  highGm: Range;
  fenceBase: number;
  fenceCount: number;
}

export interface ResourceRequest {
  lowGmBytes: number;
  highGmBytes: number;
  fences: number;
}

/** First-fit allocator over [start, end) holding non-overlapping used ranges. */
class RangeAllocator {
  private used: Range[] = [];

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** Largest contiguous free block. */
  largestFree(): number {
    return this.gaps().reduce((m, g) => Math.max(m, g.size), 0);
  }

  totalFree(): number {
    return this.gaps().reduce((s, g) => s + g.size, 0);
  }

  alloc(size: number): Range | undefined {
    if (size === 0) return { base: this.start, size: 0 };
    const gap = this.gaps().find((g) => g.size >= size);
    if (!gap) return undefined;
    const r = { base: gap.base, size };
    this.used.push(r);
    this.used.sort((a, b) => a.base - b.base);
    return r;
  }

  free(r: Range): void {
    this.used = this.used.filter((u) => !(u.base === r.base && u.size === r.size));
  }

  private gaps(): Range[] {
    const gaps: Range[] = [];
    let cursor = this.start;
    for (const u of this.used) {
      if (u.size === 0) continue;
      if (u.base > cursor) gaps.push({ base: cursor, size: u.base - cursor });
      cursor = Math.max(cursor, u.base + u.size);
    }
    if (this.end > cursor) gaps.push({ base: cursor, size: this.end - cursor });
    return gaps;
  }
}

export interface FreeResources {
  lowGmBytes: number;
  highGmBytes: number;
  fences: number;
  liveVgpus: number;
}

export class ResourcePool {
  private readonly low: RangeAllocator;
  private readonly high: RangeAllocator;
  private readonly fences: RangeAllocator;
  private live = 0;
  readonly host: Allocation;

  constructor(
    readonly geometry: GpuGeometry,
    reservation: HostReservation,
  ) {
    this.low = new RangeAllocator(0, geometry.apertureBytes);
    this.high = new RangeAllocator(geometry.apertureBytes, geometry.totalGmBytes);
    this.fences = new RangeAllocator(0, geometry.fences);
    const low = this.low.alloc(reservation.lowGmBytes);
    const high = this.high.alloc(reservation.highGmBytes);
    const f = this.fences.alloc(reservation.fences);
    if (!low || !high || !f) throw new RangeError('host reservation does not fit the GPU');
    this.host = { lowGm: low, highGm: high, fenceBase: f.base, fenceCount: f.size };
  }

  free(): FreeResources {
    return { lowGmBytes: this.low.totalFree(), highGmBytes: this.high.totalFree(), fences: this.fences.totalFree(), liveVgpus: this.live };
  }

  /**
   * Admission control: allocate a vGPU's slice or throw ApiError('no_resources') naming the
   * resource that is short and by how much. Aperture and high GM must be non-zero multiples of
   * 1 MiB... (validated by the caller's config); fences may be 0.
   */
  allocate(req: ResourceRequest): Allocation {
    if (this.live >= GVT_MAX_VGPU) throw new ApiError('no_resources', `at most ${GVT_MAX_VGPU} vGPUs can run at once (GVT_MAX_VGPU)`);
    const short = (what: string, want: number, have: number, unit: (n: number) => string): ApiError =>
      new ApiError('no_resources', `not enough ${what}: requested ${unit(want)}, ${unit(have)} free (short by ${unit(want - have)})`);
    const mib = (n: number): string => `${n / MiB} MiB`;
    const count = (n: number): string => `${n}`;
    if (this.low.largestFree() < req.lowGmBytes) throw short('aperture (low GM)', req.lowGmBytes, this.low.largestFree(), mib);
    if (this.high.largestFree() < req.highGmBytes) throw short('high GM', req.highGmBytes, this.high.largestFree(), mib);
    if (this.fences.largestFree() < req.fences) throw short('fence registers', req.fences, this.fences.largestFree(), count);
    const lowGm = this.low.alloc(req.lowGmBytes)!;
    const highGm = this.high.alloc(req.highGmBytes)!;
    const f = this.fences.alloc(req.fences)!;
    this.live++;
    return { lowGm, highGm, fenceBase: f.base, fenceCount: f.size };
  }

  release(a: Allocation): void {
    this.low.free(a.lowGm);
    this.high.free(a.highGm);
    this.fences.free({ base: a.fenceBase, size: a.fenceCount });
    this.live = Math.max(0, this.live - 1);
  }
}
