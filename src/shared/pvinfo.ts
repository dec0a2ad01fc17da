/**
 * PVINFO page (struct vgt_if) byte offsets from VGT_PVINFO_PAGE (0x78000).
 * Source: i915 i915_pvinfo.h (VGT_MAGIC, VGT_VERSION_MAJOR/MINOR, struct vgt_if).
 */
export const VGT_MAGIC_LO = 0x76544776; // low dword of 0x4776544776544776
export const VGT_MAGIC_HI = 0x47765447; // high dword
export const VGT_VERSION_MAJOR = 1;
export const VGT_VERSION_MINOR = 0;

export const PVINFO = {
  magic: 0x00, // u64
  version_major: 0x08, // u16
  version_minor: 0x0a, // u16
  vgt_id: 0x0c,
  vgt_caps: 0x10,
  mappable_gmadr_base: 0x40,
  mappable_gmadr_size: 0x44,
  nonmappable_gmadr_base: 0x48,
  nonmappable_gmadr_size: 0x4c,
  fence_num: 0x50,
  display_ready: 0x804,
  g2v_notify: 0x818,
  cursor_x_hot: 0x830,
  cursor_y_hot: 0x834,
  pdp0_lo: 0x838, // 4 x {lo, hi}
  execlist_context_descriptor_lo: 0x858,
  execlist_context_descriptor_hi: 0x85c,
} as const;

/** vgt_if.display_ready values. Source: VGT_DRV_DISPLAY_NOT_READY / VGT_DRV_DISPLAY_READY. */
export const VGT_DRV_DISPLAY_NOT_READY = 0;
export const VGT_DRV_DISPLAY_READY = 1;

/** Offsets a guest may write (the "bottom half page" response area). Writes elsewhere are reserved. */
export const PVINFO_GUEST_WRITABLE: readonly number[] = [
  PVINFO.display_ready,
  PVINFO.g2v_notify,
  PVINFO.cursor_x_hot,
  PVINFO.cursor_y_hot,
  ...Array.from({ length: 8 }, (_, i) => PVINFO.pdp0_lo + 4 * i),
  PVINFO.execlist_context_descriptor_lo,
  PVINFO.execlist_context_descriptor_hi,
];
