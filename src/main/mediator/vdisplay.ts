/**
 * A vGPU's virtual display ports: which monitor (EDID) each virtual port has, and the emulation
 * of what a guest driver touches to find and read it — GMBUS (DDC over I2C for VGA/HDMI) and the
 * DP AUX channels (native DPCD reads and writes with link training, I2C-over-AUX EDID reads) —
 * plus hotplug (live status in SDEISR for every port, long-pulse status in PCH_PORT_HOTPLUG/_2,
 * an SDE interrupt on change). Pure: the mediator routes the trapped offsets here.
 * Source: GVT-g edid.c (gmbus and aux emulation), handlers.c (dp_aux_ch_ctl_mmio_write,
 * dp_aux_ch_ctl_link_training), display.c (dpcd_fix_data, emulate_monitor_status_change),
 * XenGT indirect display mode.
 */
import {
  DDC_ADDR,
  DP_AUX_CH_CTL,
  DP_AUX_CH_CTL_DONE,
  DP_AUX_CH_CTL_MESSAGE_SIZE_MASK,
  DP_AUX_CH_CTL_MESSAGE_SIZE_SHIFT,
  DP_AUX_CH_CTL_SEND_BUSY,
  DP_AUX_CH_CTL_TIME_OUT_ERROR,
  DP_AUX_I2C_REPLY_NACK,
  DP_INTERLANE_ALIGN_DONE,
  DP_LANE0_1_STATUS,
  DP_LANE2_3_STATUS,
  DP_LANE_ALIGN_STATUS_UPDATED,
  DP_LANES_CR_DONE,
  DP_LANES_EQ_DONE,
  DP_LANES_SYMBOL_LOCKED,
  DP_SINK_COUNT,
  DP_SINK_IN_SYNC,
  DP_SINK_STATUS,
  DP_TRAINING_PATTERN_1,
  DP_TRAINING_PATTERN_2,
  DP_TRAINING_PATTERN_DISABLE,
  DP_TRAINING_PATTERN_MASK,
  DP_TRAINING_PATTERN_SET,
  DPCD_FIX_DATA,
  DPCD_SIZE,
  DP_AUX_I2C_MOT,
  DP_AUX_I2C_READ,
  DP_AUX_I2C_WRITE,
  DP_AUX_NATIVE_READ,
  DP_AUX_NATIVE_REPLY_ACK,
  DP_AUX_NATIVE_REPLY_NACK,
  DP_AUX_NATIVE_WRITE,
  GMBUS_ACTIVE,
  GMBUS_BYTE_COUNT_SHIFT,
  GMBUS_CYCLE_INDEX,
  GMBUS_CYCLE_STOP,
  GMBUS_HW_RDY,
  GMBUS_HW_WAIT_PHASE,
  GMBUS_SATOER,
  GMBUS_SLAVE_INDEX_SHIFT,
  GMBUS_SLAVE_READ,
  GMBUS_SW_RDY,
  PCH_GMBUS0,
  PCH_GMBUS1,
  PCH_GMBUS2,
  PCH_GMBUS3,
  PCH_GMBUS4,
  PCH_GMBUS5,
  PORT_AUX_CH,
  PORT_GMBUS_PIN,
  PORT_HOTPLUG_CTL,
  PORT_HOTPLUG_LONG_DETECT,
  PORT_NAMES,
  type PortName,
  SDE_PORT_HOTPLUG,
  isDpType,
} from '../../shared/ports';
import { PIPE_COUNT } from '../../shared/regs';

export interface VirtualPort {
  name: PortName;
  /** XenGT vgt_port_type (CRT=0, DP_A..DP_D=1..4, HDMI_B..HDMI_D=5..7). */
  type: number;
  /** The physical port this virtual port overrides (indirect display mode), or null. */
  overridePort: PortName | null;
  /** The monitor's EDID (128 bytes or more), or null for no monitor. */
  edid: Uint8Array | null;
  connected: boolean;
  /**
   * The sink's DPCD (DPCD_SIZE bytes), what native AUX reads return and writes store; created
   * from dpcd_fix_data when the port first gets a monitor. Omitted by callers.
   */
  dpcd?: Uint8Array;
}

/** What `hotplug` changed, so the mediator can raise the right interrupt. */
export interface HotplugEvent {
  port: PortName;
  /** The SDEISR/SDEIIR bit of the port (on Skylake every port's hotplug, A included, is on the PCH). */
  sdeBit: number;
}

/**
 * A fresh DPCD: dpcd_fix_data in the receiver capability header, DP_SINK_COUNT = 1, the rest zero.
 * Source: GVT-g display.c setup_virtual_dp_monitor.
 */
export function newDpcd(): Uint8Array {
  const d = new Uint8Array(DPCD_SIZE);
  d.set(DPCD_FIX_DATA);
  d[DP_SINK_COUNT] = 0x01;
  return d;
}

/**
 * The sink side of link training: a TRAINING_PATTERN_SET write reports clock recovery (pattern 1),
 * channel equalisation, symbol lock and interlane alignment (pattern 2) on all four lanes, and
 * sink in sync once training is switched off. Source: GVT-g handlers.c dp_aux_ch_ctl_link_training.
 */
function linkTraining(dpcd: Uint8Array, pattern: number): void {
  switch (pattern & DP_TRAINING_PATTERN_MASK) {
    case DP_TRAINING_PATTERN_1:
      dpcd[DP_LANE0_1_STATUS] |= DP_LANES_CR_DONE;
      dpcd[DP_LANE2_3_STATUS] |= DP_LANES_CR_DONE;
      break;
    case DP_TRAINING_PATTERN_2:
      dpcd[DP_LANE0_1_STATUS] |= DP_LANES_EQ_DONE | DP_LANES_SYMBOL_LOCKED;
      dpcd[DP_LANE2_3_STATUS] |= DP_LANES_EQ_DONE | DP_LANES_SYMBOL_LOCKED;
      dpcd[DP_LANE_ALIGN_STATUS_UPDATED] |= DP_INTERLANE_ALIGN_DONE;
      break;
    case DP_TRAINING_PATTERN_DISABLE:
      dpcd[DP_SINK_STATUS] = DP_SINK_IN_SYNC;
      break;
  }
}

/** XenGT's staged port settings (sysfs edid_text / type / port_override), applied on connect or flush. */
export interface PendingPort {
  edid?: Uint8Array;
  type?: number;
  overridePort?: PortName;
}

export class VirtualDisplay {
  readonly ports = new Map<PortName, VirtualPort>();
  readonly pending = new Map<PortName, PendingPort>();
  /** Hotplug control registers (PCH_PORT_HOTPLUG, _2, DIGITAL_PORT_HOTPLUG_CNTRL) by offset. */
  private readonly hotplugRegs = new Map<number, number>();
  private gmbus = { pin: 0, status: 0, data: null as Uint8Array | null, pos: 0, remaining: 0, index: 0 };
  private readonly aux = new Map<number, { ctl: number; data: number[]; i2cOffset: number }>();

  constructor(ports: VirtualPort[]) {
    for (const p of ports) this.ports.set(p.name, { ...p, dpcd: p.dpcd ?? newDpcd() });
  }

  /**
   * Which port each pipe drives, as the guest driver assigns them: the connected ports with a
   * monitor, in port order, get pipes A, B, C (index 0..2; null: the pipe has no monitor). A
   * fourth monitor gets no pipe. Source: i915 intel_modeset_setup / the CRTC assignment of a
   * fresh boot (each connector the next free pipe); GVT-g exposes pipes A..C to every vGPU.
   */
  pipePorts(): (PortName | null)[] {
    const order = PORT_NAMES.filter((n) => {
      const p = this.ports.get(n);
      return p?.connected && p.edid;
    });
    return Array.from({ length: PIPE_COUNT }, (_, pipe) => order[pipe] ?? null);
  }

  /** The pipe (0 = A) that drives `name`, or null. */
  pipeOfPort(name: PortName): number | null {
    const pipe = this.pipePorts().indexOf(name);
    return pipe < 0 ? null : pipe;
  }

  /** Take a port's staged settings (clearing them). */
  takePending(name: PortName): PendingPort {
    const p = this.pending.get(name) ?? {};
    this.pending.delete(name);
    return p;
  }

  /** SDEISR live bits: one per connected port (port A's is SDE_PORTA_HOTPLUG_SPT on Skylake). */
  liveSde(): number {
    let bits = 0;
    for (const p of this.ports.values()) if (p.connected) bits |= SDE_PORT_HOTPLUG[p.name];
    return bits >>> 0;
  }

  /**
   * Plug or unplug a monitor (or swap its EDID): updates the port, sets the long-pulse status the
   * guest reads from the hotplug control register, and says which interrupt to raise.
   */
  hotplug(name: PortName, connected: boolean, edid?: Uint8Array | null, type?: number, overridePort?: PortName | null): HotplugEvent {
    const p = this.ports.get(name) ?? { name, type: type ?? 0, overridePort: null, edid: null, connected: false, dpcd: newDpcd() };
    if (edid !== undefined) p.edid = edid;
    if (type !== undefined) p.type = type;
    if (overridePort !== undefined) p.overridePort = overridePort;
    p.connected = connected && p.edid !== null;
    this.ports.set(name, p);
    const ctl = PORT_HOTPLUG_CTL[name];
    this.hotplugRegs.set(ctl.reg, ((this.hotplugRegs.get(ctl.reg) ?? 0) | (PORT_HOTPLUG_LONG_DETECT << ctl.shift)) >>> 0);
    // A new sink starts untrained: the guest trains the link again after the hotplug.
    if (connected) p.dpcd = newDpcd();
    return { port: name, sdeBit: SDE_PORT_HOTPLUG[name] };
  }

  read(offset: number): number {
    const g = this.gmbus;
    switch (offset) {
      case PCH_GMBUS0:
        return g.pin;
      case PCH_GMBUS2:
        return g.status;
      case PCH_GMBUS3: {
        if (!g.data || g.remaining <= 0) return 0;
        let v = 0;
        for (let i = 0; i < 4; i++) v |= (g.data[g.pos + i] ?? 0) << (8 * i);
        g.pos += 4;
        g.remaining -= 4;
        if (g.remaining <= 0) g.status = (g.status & ~GMBUS_HW_RDY) | GMBUS_HW_WAIT_PHASE;
        return v >>> 0;
      }
      case PCH_GMBUS1:
      case PCH_GMBUS4:
      case PCH_GMBUS5:
        return 0;
    }
    const hp = [...Object.values(PORT_HOTPLUG_CTL)].find((c) => c.reg === offset);
    if (hp) return this.hotplugRegs.get(offset) ?? 0;
    const a = this.auxOf(offset);
    if (a) return a.rel === 0 ? a.state.ctl : (a.state.data[a.rel / 4 - 1] ?? 0);
    return 0;
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    if (offset === PCH_GMBUS0) {
      this.gmbus = { pin: value & 0x7, status: 0, data: null, pos: 0, remaining: 0, index: 0 };
      return;
    }
    if (offset === PCH_GMBUS1) return this.gmbusCommand(value);
    if (offset === PCH_GMBUS3) {
      // A 1-byte slave write to the EDID EEPROM sets its offset.
      this.gmbus.index = value & 0xff;
      return;
    }
    if ([...Object.values(PORT_HOTPLUG_CTL)].some((c) => c.reg === offset)) {
      // Enable bits are kept; status bits (1:0 of each port byte) are write-1-to-clear.
      const cur = this.hotplugRegs.get(offset) ?? 0;
      const statusMask = 0x03030303;
      this.hotplugRegs.set(offset, (((cur & statusMask) & ~(value & statusMask)) | (value & ~statusMask)) >>> 0);
      return;
    }
    const a = this.auxOf(offset);
    if (!a) return;
    if (a.rel !== 0) {
      a.state.data[a.rel / 4 - 1] = value;
      return;
    }
    // Status bits DONE / errors are write-1-to-clear; SEND_BUSY starts a transaction.
    a.state.ctl = (a.state.ctl & ~(value & (DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR))) >>> 0;
    if (value & DP_AUX_CH_CTL_SEND_BUSY) this.auxTransaction(a.ch, a.state, (value & DP_AUX_CH_CTL_MESSAGE_SIZE_MASK) >>> DP_AUX_CH_CTL_MESSAGE_SIZE_SHIFT);
  }

  private portOfPin(pin: number): VirtualPort | undefined {
    const name = PORT_NAMES.find((n) => PORT_GMBUS_PIN[n] === pin);
    return name ? this.ports.get(name) : undefined;
  }

  /** GMBUS1: start (SW_RDY) or end (CYCLE_STOP) a DDC transaction on the selected pin. */
  private gmbusCommand(cmd: number): void {
    const g = this.gmbus;
    if ((cmd & (7 << 25)) === GMBUS_CYCLE_STOP) {
      g.status = 0;
      g.data = null;
      return;
    }
    if (!(cmd & GMBUS_SW_RDY)) return;
    const addr = (cmd >>> 1) & 0x7f;
    const port = this.portOfPin(g.pin);
    const monitor = port && port.connected && port.edid && !isDpType(port.type) ? port.edid : null;
    if (!monitor || addr !== DDC_ADDR) {
      // Nobody answers at that address: NAK (i915 reports -ENXIO).
      g.status = GMBUS_SATOER | GMBUS_HW_RDY;
      g.data = null;
      return;
    }
    if (cmd & GMBUS_SLAVE_READ) {
      const index = cmd & GMBUS_CYCLE_INDEX ? (cmd >>> GMBUS_SLAVE_INDEX_SHIFT) & 0xff : g.index;
      g.data = monitor;
      g.pos = index;
      g.remaining = (cmd >>> GMBUS_BYTE_COUNT_SHIFT) & 0x1ff;
      g.status = GMBUS_ACTIVE | (g.remaining > 0 ? GMBUS_HW_RDY : GMBUS_HW_WAIT_PHASE);
    } else {
      g.status = GMBUS_ACTIVE | GMBUS_HW_WAIT_PHASE | GMBUS_HW_RDY;
    }
  }

  private auxOf(offset: number): { ch: number; rel: number; state: { ctl: number; data: number[]; i2cOffset: number } } | undefined {
    for (let ch = 0; ch < 4; ch++) {
      const rel = offset - DP_AUX_CH_CTL(ch);
      if (rel >= 0 && rel <= 20 && rel % 4 === 0) {
        let state = this.aux.get(ch);
        if (!state) this.aux.set(ch, (state = { ctl: 0, data: [0, 0, 0, 0, 0], i2cOffset: 0 }));
        return { ch, rel, state };
      }
    }
    return undefined;
  }

  /** One AUX transaction: request bytes in the data registers (big-endian), reply written back. */
  private auxTransaction(ch: number, st: { ctl: number; data: number[]; i2cOffset: number }, size: number): void {
    const req: number[] = [];
    for (let i = 0; i < Math.min(size, 20); i++) req.push((st.data[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff);
    const name = PORT_NAMES.find((n) => PORT_AUX_CH[n] === ch);
    const port = name ? this.ports.get(name) : undefined;
    const reply = (bytes: number[]): void => {
      st.data = [0, 0, 0, 0, 0];
      bytes.slice(0, 20).forEach((b, i) => (st.data[i >> 2] |= (b & 0xff) << (24 - 8 * (i & 3))));
      st.data = st.data.map((d) => d >>> 0);
      st.ctl = (DP_AUX_CH_CTL_DONE | (Math.min(bytes.length, 20) << DP_AUX_CH_CTL_MESSAGE_SIZE_SHIFT)) >>> 0;
    };
    if (!port || !port.connected || !isDpType(port.type) || req.length < 3) {
      // No DP sink on this channel: the transaction times out.
      st.ctl = (DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR) >>> 0;
      return;
    }
    const request = req[0] >>> 4;
    const addr = ((req[0] & 0xf) << 16) | (req[1] << 8) | req[2];
    const len = req.length > 3 ? req[3] + 1 : 0;
    const i2c = (request & DP_AUX_NATIVE_WRITE) === 0;
    if (!i2c) return reply(nativeAux(port.dpcd ?? (port.dpcd = newDpcd()), request, addr, len, req.slice(4)));
    if (addr !== DDC_ADDR || !port.edid) return reply([DP_AUX_I2C_REPLY_NACK]);
    const op = request & ~DP_AUX_I2C_MOT;
    if (op === DP_AUX_I2C_WRITE) {
      if (len > 0) st.i2cOffset = req[4] ?? 0;
      return reply([DP_AUX_NATIVE_REPLY_ACK]);
    }
    if (op === DP_AUX_I2C_READ) {
      const out = Array.from({ length: len }, (_, k) => port.edid![st.i2cOffset + k] ?? 0);
      st.i2cOffset += len;
      return reply([DP_AUX_NATIVE_REPLY_ACK, ...out]);
    }
    reply([DP_AUX_I2C_REPLY_NACK]);
  }
}

/**
 * A native AUX transaction on a sink's DPCD: a read returns `len` bytes (zeros past DPCD_SIZE, as
 * the DP spec asks of an unsupported address); a write stores its bytes, runs link training on a
 * TRAINING_PATTERN_SET write, and is NAKed past DPCD_SIZE. Returns the reply bytes.
 * Source: GVT-g handlers.c dp_aux_ch_ctl_mmio_write (GVT_AUX_NATIVE_WRITE / _READ).
 */
function nativeAux(dpcd: Uint8Array, request: number, addr: number, len: number, data: number[]): number[] {
  if (request === DP_AUX_NATIVE_READ) {
    if (addr + len >= DPCD_SIZE) return [DP_AUX_NATIVE_REPLY_ACK, ...new Array<number>(len).fill(0)];
    return [DP_AUX_NATIVE_REPLY_ACK, ...dpcd.subarray(addr, addr + len)];
  }
  if (request !== DP_AUX_NATIVE_WRITE || addr + len >= DPCD_SIZE) return [DP_AUX_NATIVE_REPLY_NACK];
  for (let k = 0; k < len; k++) {
    dpcd[addr + k] = data[k] ?? 0;
    if (addr + k === DP_TRAINING_PATTERN_SET) linkTraining(dpcd, dpcd[addr + k]);
  }
  return [DP_AUX_NATIVE_REPLY_ACK];
}
