/**
 * How the guest driver finds its monitors, as i915 does on Skylake: live hotplug status (SDEISR for
 * every port, port A included: SDE_PORTA_HOTPLUG_SPT), then for a connected port a DP AUX DPCD read (a DP sink answers)
 * and the EDID over I2C-over-AUX, or else the EDID over GMBUS (DDC) on the port's pin. The
 * preferred (first detailed) timing of the EDID becomes the mode.
 * Source: i915 intel_dp.c (intel_dp_aux_xfer, drm_dp_dpcd_read), intel_gmbus.c
 * (gmbus_xfer_index_read), drm_edid.c (drm_do_get_edid), intel_hotplug.c.
 */
import { decodeEdid, modeLine, preferredTiming } from '../../shared/edid';
import {
  DDC_ADDR,
  DP_AUX_CH_CTL,
  DP_AUX_CH_CTL_DONE,
  DP_AUX_CH_CTL_RECEIVE_ERROR,
  DP_AUX_CH_CTL_SEND_BUSY,
  DP_AUX_CH_CTL_TIME_OUT_ERROR,
  DP_AUX_CH_DATA,
  DP_AUX_I2C_MOT,
  DP_AUX_I2C_READ,
  DP_AUX_I2C_WRITE,
  DP_AUX_NATIVE_READ,
  DP_AUX_NATIVE_WRITE,
  DP_LANE0_1_STATUS,
  DP_LANES_CR_DONE,
  DP_LANES_EQ_DONE,
  DP_SINK_IN_SYNC,
  DP_SINK_STATUS,
  DP_TRAINING_PATTERN_1,
  DP_TRAINING_PATTERN_2,
  DP_TRAINING_PATTERN_DISABLE,
  DP_TRAINING_PATTERN_SET,
  GMBUS_CYCLE_INDEX,
  GMBUS_CYCLE_STOP,
  GMBUS_CYCLE_WAIT,
  GMBUS_HW_RDY,
  GMBUS_SATOER,
  GMBUS_SW_RDY,
  PCH_GMBUS0,
  PCH_GMBUS1,
  PCH_GMBUS2,
  PCH_GMBUS3,
  PORT_AUX_CH,
  PORT_GMBUS_PIN,
  PORT_NAMES,
  type PortName,
  SDE_PORT_HOTPLUG,
} from '../../shared/ports';
import { SDEISR } from '../../shared/regs';
import type { DisplayMode } from './driver';
import type { TrapPort } from './trap-port';

export interface ProbedMonitor {
  port: PortName;
  bus: 'dp-aux' | 'gmbus';
  edid: Uint8Array;
  mode: DisplayMode;
  name: string | null;
}

/** One AUX transaction; returns the reply bytes or null on timeout / receive error. */
function auxXfer(port: TrapPort, ch: number, msg: number[]): number[] | null {
  const words = [0, 0, 0, 0, 0];
  msg.forEach((b, i) => (words[i >> 2] |= (b & 0xff) << (24 - 8 * (i & 3))));
  words.forEach((w, i) => port.write32(DP_AUX_CH_DATA(ch, i), w >>> 0));
  port.write32(DP_AUX_CH_CTL(ch), (DP_AUX_CH_CTL_SEND_BUSY | DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR | DP_AUX_CH_CTL_RECEIVE_ERROR | (msg.length << 20)) >>> 0);
  const ctl = port.read32(DP_AUX_CH_CTL(ch));
  if (!(ctl & DP_AUX_CH_CTL_DONE) || ctl & (DP_AUX_CH_CTL_TIME_OUT_ERROR | DP_AUX_CH_CTL_RECEIVE_ERROR)) return null;
  const size = (ctl >>> 20) & 0x1f;
  const reply: number[] = [];
  for (let i = 0; i < size; i++) reply.push((port.read32(DP_AUX_CH_DATA(ch, i >> 2)) >>> (24 - 8 * (i & 3))) & 0xff);
  return reply;
}

/** EDID over I2C-over-AUX: set offset 0, read 16-byte chunks (MOT), end the transaction. */
function readEdidAux(port: TrapPort, ch: number): Uint8Array | null {
  const dpcd = auxXfer(port, ch, [DP_AUX_NATIVE_READ << 4, 0, 0, 0]);
  if (!dpcd || dpcd[0] !== 0) return null; // no DP sink answers on this channel
  if (auxXfer(port, ch, [(DP_AUX_I2C_WRITE | DP_AUX_I2C_MOT) << 4, 0, DDC_ADDR, 0, 0])?.[0] !== 0) return null;
  const bytes: number[] = [];
  for (let block = 0; block < 8; block++) {
    const r = auxXfer(port, ch, [(DP_AUX_I2C_READ | DP_AUX_I2C_MOT) << 4, 0, DDC_ADDR, 15]);
    if (!r || r[0] !== 0) return null;
    bytes.push(...r.slice(1, 17));
  }
  auxXfer(port, ch, [DP_AUX_I2C_READ << 4, 0, DDC_ADDR]); // address-only: stop
  return Uint8Array.from(bytes);
}

/**
 * Train a DP link as i915 does: training pattern 1 until every lane reports clock recovery, pattern
 * 2 until channel equalisation, then training off and the sink in sync. True when it trained.
 * Done at probe here; i915 trains at modeset (intel_dp_start_link_train: intel_dp_link_training_clock_recovery,
 * intel_dp_link_training_channel_equalization, intel_dp_stop_link_train).
 */
function trainDpLink(port: TrapPort, ch: number): boolean {
  const setPattern = (tp: number): boolean => auxXfer(port, ch, [DP_AUX_NATIVE_WRITE << 4, DP_TRAINING_PATTERN_SET >> 8, DP_TRAINING_PATTERN_SET & 0xff, 0, tp])?.[0] === 0;
  const read = (addr: number, n: number): number[] => auxXfer(port, ch, [DP_AUX_NATIVE_READ << 4, addr >> 8, addr & 0xff, n - 1])?.slice(1) ?? [];
  const allLanes = (bits: number): boolean => read(DP_LANE0_1_STATUS, 2).filter((b) => (b & bits) === bits).length === 2;
  if (!setPattern(DP_TRAINING_PATTERN_1) || !allLanes(DP_LANES_CR_DONE)) return false;
  if (!setPattern(DP_TRAINING_PATTERN_2) || !allLanes(DP_LANES_EQ_DONE)) return false;
  return setPattern(DP_TRAINING_PATTERN_DISABLE) && read(DP_SINK_STATUS, 1)[0] === DP_SINK_IN_SYNC;
}

/** EDID over GMBUS: an index read of 128 bytes at DDC address 0x50. Null on NAK. */
function readEdidGmbus(port: TrapPort, pin: number): Uint8Array | null {
  const n = 128;
  port.write32(PCH_GMBUS0, pin);
  port.write32(PCH_GMBUS1, (GMBUS_SW_RDY | GMBUS_CYCLE_INDEX | GMBUS_CYCLE_WAIT | (n << 16) | (DDC_ADDR << 1) | 1) >>> 0);
  const bytes: number[] = [];
  let ok = true;
  while (bytes.length < n) {
    const st = port.read32(PCH_GMBUS2);
    if (st & GMBUS_SATOER || !(st & GMBUS_HW_RDY)) {
      ok = false;
      break;
    }
    const d = port.read32(PCH_GMBUS3);
    for (let k = 0; k < 4 && bytes.length < n; k++) bytes.push((d >>> (8 * k)) & 0xff);
  }
  port.write32(PCH_GMBUS1, (GMBUS_SW_RDY | GMBUS_CYCLE_STOP) >>> 0);
  port.write32(PCH_GMBUS0, 0);
  return ok ? Uint8Array.from(bytes) : null;
}

/** Every connected port with a readable EDID that has a usable preferred timing, in port order. */
export function probeDisplays(port: TrapPort, log: (line: string) => void): ProbedMonitor[] {
  const sde = port.read32(SDEISR);
  const found: ProbedMonitor[] = [];
  for (const name of PORT_NAMES) {
    if (!(sde & SDE_PORT_HOTPLUG[name])) continue;
    const ch = PORT_AUX_CH[name];
    const pin = PORT_GMBUS_PIN[name];
    let bus: ProbedMonitor['bus'] = 'dp-aux';
    let edid = ch !== undefined ? readEdidAux(port, ch) : null;
    if (!edid && pin !== undefined) {
      bus = 'gmbus';
      edid = readEdidGmbus(port, pin);
    }
    if (!edid) {
      log(`[drm] ${name}: connected, but no EDID could be read`);
      continue;
    }
    const { edid: decoded, findings } = decodeEdid(edid);
    const timing = decoded && preferredTiming(decoded);
    if (!decoded || !timing || findings.some((f) => f.severity === 'error')) {
      log(`[drm] ${name}: EDID rejected (${findings.find((f) => f.severity === 'error')?.message ?? 'no preferred timing'})`);
      continue;
    }
    if (bus === 'dp-aux' && ch !== undefined && !trainDpLink(port, ch)) log(`[drm] ${name}: DP link training failed`);
    const m = modeLine(timing);
    found.push({ port: name, bus, edid, name: decoded.monitorName, mode: { width: m.width, height: m.height, refresh: m.refreshHz, timing } });
    log(`[drm] ${name}: ${decoded.monitorName ?? decoded.vendor} via ${bus === 'gmbus' ? 'GMBUS' : 'DP AUX'}, preferred mode ${m.width}x${m.height}@${m.refreshHz}Hz`);
  }
  return found;
}
