/**
 * The PPGTT side of submission: the guest's g2v PPGTT notifications, the PML4 a guest context
 * names, and the shadow context's PDP registers. ppgtt-shadow.ts does the shadowing itself.
 * Sources: GVT-g handlers.c handle_g2v_notification (VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE/DESTROY,
 * pdps read from vgtif pdp[]), scheduler.c update_shadow_pdps / populate_shadow_context,
 * execlist.c (the workload's shadow_mm from the guest context's PDPs); i915 intel_lrc_reg.h
 * (CTX_PDP0_UDW/LDW, ASSIGN_CTX_PML4), gen8_ppgtt_notify_vgt.
 */
import { MI_LOAD_REGISTER_IMM_N } from '../../shared/commands';
import { CTX_LRI_HEADER_1, CTX_PDP0_LDW, CTX_PDP0_UDW, CTX_PDP3_UDW, INTEL_LEGACY_32B_CONTEXT, INTEL_LEGACY_64B_CONTEXT, LRC_STATE_PN, RING_PDP_LDW, RING_PDP_UDW, addressingMode } from '../../shared/execlist';
import { PAGE_SIZE } from '../../shared/platform';
import { PVINFO, VGT_G2V } from '../../shared/pvinfo';
import type { Ggtt } from '../gpu/ggtt';
import { entryAddress } from '../gpu/ppgtt';
import type { ShadowMm } from './ppgtt-shadow';
import type { Vgpu } from './vgpu';

/** The PML4 address the guest wrote into PVINFO pdp[0] (lo, hi) before its notification. */
function notifiedPml4(v: Vgpu): number {
  return entryAddress(v.pvinfoWritten.get(PVINFO.pdp0_lo) ?? 0, v.pvinfoWritten.get(PVINFO.pdp0_lo + 4) ?? 0);
}

/**
 * Act on a g2v PPGTT notification; false when `notification` is not one. L4 CREATE shadows the
 * PML4 in pdp[0] now (intel_vgpu_g2v_create_ppgtt_mm), DESTROY drops its shadow. The L3 ones (a
 * 3-level, legacy 32-bit PPGTT) are refused with a note and shadow nothing: this vGPU shadows
 * 4-level tables only. Where we differ: GVT-g's handler accepts L3 (GTT_TYPE_PPGTT_ROOT_L3_ENTRY),
 * but i915 never asks for it under GVT-g ("GVT-g has no support for 32bit ppgtt",
 * intel_sanitize_enable_ppgtt), so only a guest outside i915's behaviour meets the refusal.
 */
export function handlePpgttNotification(v: Vgpu, notification: number): boolean {
  switch (notification) {
    case VGT_G2V.PPGTT_L4_PAGE_TABLE_CREATE: {
      const pml4 = notifiedPml4(v);
      if (!v.ppgtt) v.note(`PVINFO: PPGTT create for PML4 0x${pml4.toString(16)} without VGT_CAPS_FULL_PPGTT, ignored`);
      else {
        const r = v.ppgtt.shadow(pml4);
        if (!r.ok) v.note(`PPGTT: create: ${r.reason}`);
      }
      return true;
    }
    case VGT_G2V.PPGTT_L4_PAGE_TABLE_DESTROY: {
      const pml4 = notifiedPml4(v);
      if (!v.ppgtt?.destroy(pml4)) v.note(`PPGTT: destroy of PML4 0x${pml4.toString(16)}, which has no shadow, ignored`);
      return true;
    }
    case VGT_G2V.PPGTT_L3_PAGE_TABLE_CREATE:
    case VGT_G2V.PPGTT_L3_PAGE_TABLE_DESTROY:
      v.note(`PVINFO: ${notification === VGT_G2V.PPGTT_L3_PAGE_TABLE_CREATE ? 'VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE' : 'VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY'} refused: a 3-level (legacy 32-bit) PPGTT is not supported, this vGPU shadows 4-level (48-bit) PPGTTs only (GVT-g has no support for 32bit ppgtt); nothing shadowed`);
      return true;
    default:
      return false;
  }
}

/** Legacy 32-bit contexts whose 3-level PPGTT was already refused in the log, per vGPU (by LRCA): noted once, not per submission. */
const l3Noted = new WeakMap<Vgpu, Set<number>>();

/**
 * The shadow PPGTT for a submitted guest context: null for a legacy 32-bit context (GGTT only); for
 * a 48-bit PPGTT context (INTEL_LEGACY_64B_CONTEXT) the shadow of the PML4 in its image's PDP0,
 * brought up to date with the guest's tables now. An error (the submission is refused) when the
 * vGPU has no PPGTT, the PML4 is not in the VM's RAM, or the descriptor asks for an advanced (SVM)
 * context (GVT-g prepare_mm: "Advanced Context mode(SVM) is not supported!"). A legacy 32-bit
 * context whose PDPs name a 3-level PPGTT gets it refused with a note (once per context) and runs
 * GGTT-only: its PPGTT-addressed commands are refused by the scanner. Where we differ: GVT-g shadows
 * such a 3-level root (GTT_TYPE_PPGTT_ROOT_L3_ENTRY, i915's aliasing PPGTT); here a legacy 32-bit
 * context has the GGTT only, and i915 under GVT-g uses no full 32-bit PPGTT (intel_sanitize_enable_ppgtt).
 */
export function contextPpgtt(ggtt: Ggtt, v: Vgpu, descLo: number, lrca: number): { ok: true; mm: ShadowMm | null } | { ok: false; reason: string } {
  const state = lrca + LRC_STATE_PN * PAGE_SIZE;
  const mode = addressingMode(descLo);
  if (mode === INTEL_LEGACY_32B_CONTEXT) {
    const noted = l3Noted.get(v);
    if (noted?.has(lrca)) return { ok: true, mm: null };
    // PDP3..0 values (upper, lower): a 3-level PPGTT's page directories, if any is set.
    for (let i = 0; i < 8; i++) {
      const value = ggtt.read32(state + (CTX_PDP3_UDW + 1 + 2 * i) * 4);
      if (value === 0) continue;
      v.note(`context 0x${lrca.toString(16)}: a legacy 32-bit context naming a 3-level PPGTT (PDP${3 - (i >> 1)} ${i & 1 ? 'lower' : 'upper'} dword 0x${value.toString(16)}): refused, this vGPU shadows 4-level (48-bit) PPGTTs only (GVT-g has no support for 32bit ppgtt); the context runs GGTT-only, its PPGTT-addressed commands are refused`);
      if (noted) noted.add(lrca);
      else l3Noted.set(v, new Set([lrca]));
      break;
    }
    return { ok: true, mm: null };
  }
  if (mode !== INTEL_LEGACY_64B_CONTEXT) return { ok: false, reason: `context 0x${lrca.toString(16)}: Advanced Context mode(SVM) is not supported (addressing mode ${mode}; GVT-g prepare_mm)` };
  if (!v.ppgtt) return { ok: false, reason: `context 0x${lrca.toString(16)} is a 48-bit PPGTT context, but this vGPU does not offer VGT_CAPS_FULL_PPGTT` };
  const pml4 = entryAddress(ggtt.read32(state + (CTX_PDP0_LDW + 1) * 4), ggtt.read32(state + (CTX_PDP0_UDW + 1) * 4));
  const r = v.ppgtt.shadow(pml4);
  return r.ok ? { ok: true, mm: r.mm } : { ok: false, reason: `context 0x${lrca.toString(16)}: ${r.reason}` };
}

/**
 * Fill the PDP part of a (shadow) context image as i915 lays it out — LRI header 1, then PDP3..0
 * upper/lower (offset, value) pairs — with the shadow PML4 in PDP0 (ASSIGN_CTX_PML4), or zeros
 * for a context without PPGTT. Every dword lies in the image's state page, so the page is
 * translated once (this runs at every dispatch); an unmapped page takes nothing, as the GGTT's
 * write32 drops each write there. Source: update_shadow_pdps.
 */
export function writeContextPdps(ggtt: Ggtt, lrca: number, shadowPml4: number | null, engineBase: number): void {
  const page = ggtt.resolve(lrca + LRC_STATE_PN * PAGE_SIZE);
  if (!page) return;
  const words = page.region.words;
  // Word index of the state page's dword 0 (CTX_* are dword indices into that page).
  const state = page.offset >>> 2;
  words[state + CTX_LRI_HEADER_1] = MI_LOAD_REGISTER_IMM_N(8) >>> 0;
  for (let n = 3; n >= 0; n--) {
    const at = state + CTX_PDP3_UDW + (3 - n) * 4;
    const value = n === 0 && shadowPml4 !== null ? shadowPml4 : 0;
    words[at] = (engineBase + RING_PDP_UDW(n)) >>> 0;
    words[at + 1] = Math.floor(value / 2 ** 32) >>> 0;
    words[at + 2] = (engineBase + RING_PDP_LDW(n)) >>> 0;
    words[at + 3] = (value % 2 ** 32) >>> 0;
  }
}
