/**
 * Display ports as a GVT-g guest sees them: XenGT's port and port-type enums, and the Skylake/SPT
 * registers a guest driver uses to find monitors (GMBUS for DDC on VGA/HDMI ports, DP AUX for DP
 * ports) and to learn about hotplug (SDEISR/SDEIIR port bits, PCH_PORT_HOTPLUG long/short pulse).
 * Source: XenGT vgt.h (enum vgt_port, enum vgt_port_type), i915 i915_reg.h (PCH_GMBUS0..5,
 * DP_AUX_CH_CTL/DATA, SDE_PORT*_HOTPLUG_CPT/SPT, PCH_PORT_HOTPLUG), intel_gmbus.c (SKL pins),
 * GVT-g display.h (DPCD).
 */

export const PORT_NAMES = ['PORT_A', 'PORT_B', 'PORT_C', 'PORT_D', 'PORT_E'] as const;
export type PortName = (typeof PORT_NAMES)[number];

/** XenGT enum vgt_port_type. */
export const PORT_TYPES = { CRT: 0, DP_A: 1, DP_B: 2, DP_C: 3, DP_D: 4, HDMI_B: 5, HDMI_C: 6, HDMI_D: 7 } as const;
export type PortTypeName = keyof typeof PORT_TYPES;
export const portTypeName = (t: number): PortTypeName | undefined => (Object.keys(PORT_TYPES) as PortTypeName[]).find((k) => PORT_TYPES[k] === t);
export const isDpType = (t: number): boolean => t >= PORT_TYPES.DP_A && t <= PORT_TYPES.DP_D;

/** GMBUS (PCH) registers. */
export const PCH_GMBUS0 = 0xc5100;
export const PCH_GMBUS1 = 0xc5104;
export const PCH_GMBUS2 = 0xc5108;
export const PCH_GMBUS3 = 0xc510c;
export const PCH_GMBUS4 = 0xc5110;
export const PCH_GMBUS5 = 0xc5120;
/** GMBUS0 pin pair select (bits 2:0 on SPT): the DDC bus of a port. */
export const GMBUS_PIN_VGADDC = 2;
export const GMBUS_PIN_DPC = 4;
export const GMBUS_PIN_DPB = 5;
export const GMBUS_PIN_DPD = 6;
export const PORT_GMBUS_PIN: Partial<Record<PortName, number>> = { PORT_B: GMBUS_PIN_DPB, PORT_C: GMBUS_PIN_DPC, PORT_D: GMBUS_PIN_DPD, PORT_E: GMBUS_PIN_VGADDC };
/** GMBUS1 command bits. */
export const GMBUS_SW_RDY = 1 << 30;
export const GMBUS_CYCLE_INDEX = 1 << 26;
export const GMBUS_CYCLE_WAIT = 1 << 25;
export const GMBUS_CYCLE_STOP = 4 << 25;
export const GMBUS_BYTE_COUNT_SHIFT = 16;
export const GMBUS_SLAVE_INDEX_SHIFT = 8;
export const GMBUS_SLAVE_READ = 1;
/** GMBUS2 status bits. */
export const GMBUS_HW_WAIT_PHASE = 1 << 14;
export const GMBUS_HW_RDY = 1 << 11;
export const GMBUS_SATOER = 1 << 10;
export const GMBUS_ACTIVE = 1 << 9;

/** DDC address of the EDID EEPROM (7-bit). */
export const DDC_ADDR = 0x50;

/** DP AUX channel registers (SKL): channel A..D at 0x64010 + 0x100 * ch; 5 data registers follow. */
export const DP_AUX_CH_CTL = (ch: number): number => 0x64010 + ch * 0x100;
export const DP_AUX_CH_DATA = (ch: number, i: number): number => 0x64014 + ch * 0x100 + i * 4;
export const DP_AUX_CH_CTL_SEND_BUSY = 1 << 31;
export const DP_AUX_CH_CTL_DONE = 1 << 30;
export const DP_AUX_CH_CTL_TIME_OUT_ERROR = 1 << 28;
export const DP_AUX_CH_CTL_RECEIVE_ERROR = 1 << 25;
export const DP_AUX_CH_CTL_MESSAGE_SIZE_SHIFT = 20;
export const DP_AUX_CH_CTL_MESSAGE_SIZE_MASK = 0x1f << 20;
/** AUX request codes (header nibble) and reply codes. Source: drm_dp_helper.h. */
export const DP_AUX_I2C_WRITE = 0x0;
export const DP_AUX_I2C_READ = 0x1;
export const DP_AUX_I2C_MOT = 0x4;
export const DP_AUX_NATIVE_WRITE = 0x8;
export const DP_AUX_NATIVE_READ = 0x9;
export const DP_AUX_NATIVE_REPLY_ACK = 0x0;
export const DP_AUX_NATIVE_REPLY_NACK = 0x1 << 4;
export const DP_AUX_I2C_REPLY_NACK = 0x1 << 6;
/** The AUX channel of a port (A..D; port E has none). */
export const PORT_AUX_CH: Partial<Record<PortName, number>> = { PORT_A: 0, PORT_B: 1, PORT_C: 2, PORT_D: 3 };

/**
 * Hotplug on Skylake/SPT: every port's live status is in SDEISR and its events latch in SDEIIR,
 * port A included (SDE_PORTA_HOTPLUG_SPT, bit 24; Broadwell used GEN8_DE_PORT_ISR bit 3 instead).
 * Source: i915 SDE_PORT{A,B,C,D,E}_HOTPLUG_SPT/_CPT; GVT-g display.c emulate_monitor_status_change
 * ("if IS_BROADWELL ... GEN8_DE_PORT_HOTPLUG(HPD_PORT_A) else SDEISR |= SDE_PORTA_HOTPLUG_SPT").
 */
export const SDE_PORT_HOTPLUG: Record<PortName, number> = { PORT_A: 1 << 24, PORT_B: 1 << 21, PORT_C: 1 << 22, PORT_D: 1 << 23, PORT_E: 1 << 25 };
/**
 * PCH_PORT_HOTPLUG (SHOTPLUG_CTL): per port a byte, enable at bit 4 and status at bits 1:0 of it —
 * port B at shift 0, C at 8, D at 16 and, on SPT, A at 24 (PORTA_HOTPLUG_ENABLE bit 28,
 * PORTA_HOTPLUG_STATUS_MASK 25:24); port E in PCH_PORT_HOTPLUG2 (SHOTPLUG_CTL2).
 * Source: i915 PORT{A,B,C,D}_HOTPLUG_ENABLE / _STATUS_MASK / _LONG_DETECT, PORTE_HOTPLUG_ENABLE;
 * spt_hpd_irq_setup.
 */
export const PCH_PORT_HOTPLUG = 0xc4030;
export const PCH_PORT_HOTPLUG2 = 0xc403c;
export const PORT_HOTPLUG_ENABLE = 1 << 4;
export const PORT_HOTPLUG_LONG_DETECT = 1 << 1;
/** Where a port's hotplug control byte lives: register and bit shift. */
export const PORT_HOTPLUG_CTL: Record<PortName, { reg: number; shift: number }> = {
  PORT_A: { reg: PCH_PORT_HOTPLUG, shift: 24 },
  PORT_B: { reg: PCH_PORT_HOTPLUG, shift: 0 },
  PORT_C: { reg: PCH_PORT_HOTPLUG, shift: 8 },
  PORT_D: { reg: PCH_PORT_HOTPLUG, shift: 16 },
  PORT_E: { reg: PCH_PORT_HOTPLUG2, shift: 0 },
};

/** DPCD addresses and link-training values. Source: GVT-g display.h (DPCD_*), drm_dp.h. */
export const DPCD_SIZE = 0x700;
export const DP_DPCD_REV = 0x000;
export const DP_MAX_LINK_RATE = 0x001;
export const DP_MAX_LANE_COUNT = 0x002;
export const DP_TRAINING_PATTERN_SET = 0x102;
export const DP_SINK_COUNT = 0x200;
export const DP_LANE0_1_STATUS = 0x202;
export const DP_LANE2_3_STATUS = 0x203;
export const DP_LANE_ALIGN_STATUS_UPDATED = 0x204;
export const DP_SINK_STATUS = 0x205;
export const DP_TRAINING_PATTERN_MASK = 0x03;
export const DP_TRAINING_PATTERN_DISABLE = 0x00;
export const DP_TRAINING_PATTERN_1 = 0x01;
export const DP_TRAINING_PATTERN_2 = 0x02;
/** Lane status bits for a lane pair (both nibbles). Source: GVT-g DPCD_LANES_CR_DONE / _EQ_DONE / DPCD_SYMBOL_LOCKED. */
export const DP_LANES_CR_DONE = 0x11;
export const DP_LANES_EQ_DONE = 0x22;
export const DP_LANES_SYMBOL_LOCKED = 0x44;
export const DP_INTERLANE_ALIGN_DONE = 0x01;
/** DP_SINK_STATUS: both receive ports in sync. Source: GVT-g DPCD_SINK_IN_SYNC. */
export const DP_SINK_IN_SYNC = 0x03;
/**
 * The DPCD receiver capability header every virtual DP sink starts with: DPCD 1.2, 5.4 Gbps
 * (0x14), 4 lanes with enhanced framing (0x84), the rest zero; plus DP_SINK_COUNT = 1.
 * Source: GVT-g display.c dpcd_fix_data[DPCD_HEADER_SIZE] and setup_virtual_dp_monitor.
 */
export const DPCD_FIX_DATA: readonly number[] = [0x12, 0x14, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
