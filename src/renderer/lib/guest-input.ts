/**
 * Keyboard and pointer input for a VM window, kept apart from the DOM so it can be tested alone:
 * where a pointer over a scaled canvas lands in guest pixels, which DOM key events the guest's
 * PS/2 keyboard can take, which keys are held (so a released grab leaves none stuck), and an
 * in-order pump to `domain.input` that coalesces pointer motion to one position per animation frame.
 */
import { ApiError, MAX_INPUT_EVENTS, type InputEventRequest } from '../../shared/api';
import { NAMED_KEYS } from '../../shared/keymap';
import { errorMessage } from './errors';

/** A canvas's box on screen in CSS pixels (DOMRect's fields). */
export interface BoxRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The guest pixel under CSS point (clientX, clientY) of a canvas showing a frameWidth x
 * frameHeight frame scaled to `rect`: floor of the scaled offset, clamped to 0..w-1 / 0..h-1 (a
 * pointer captured outside the canvas still lands on its edge). Null when there is no frame.
 */
export function guestPoint(clientX: number, clientY: number, rect: BoxRect, frameWidth: number, frameHeight: number): { x: number; y: number } | null {
  if (frameWidth <= 0 || frameHeight <= 0 || rect.width <= 0 || rect.height <= 0) return null;
  const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, Math.floor(v)));
  return {
    x: clamp(((clientX - rect.left) * frameWidth) / rect.width, frameWidth - 1),
    y: clamp(((clientY - rect.top) * frameHeight) / rect.height, frameHeight - 1),
  };
}

/** DOM MouseEvent.button (0 main, 1 auxiliary, 2 secondary) as the tablet names it; null for back/forward. */
export function buttonName(button: number): 'left' | 'middle' | 'right' | null {
  return button === 0 ? 'left' : button === 1 ? 'middle' : button === 2 ? 'right' : null;
}

/** DOM WheelEvent.deltaMode: pixels, lines, pages. */
const DOM_DELTA_LINE = 1;
const DOM_DELTA_PAGE = 2;
/** Chromium and Firefox report one notch as 100 px or 3 lines. */
const PIXELS_PER_NOTCH = 100;
const LINES_PER_NOTCH = 3;

/**
 * A wheel event's deltaY as tablet wheel steps, sign as HID reports it (positive = away from the
 * user, i.e. scroll up): at least one step per event, at most the API's 16.
 */
export function wheelSteps(deltaY: number, deltaMode: number): number {
  if (deltaY === 0) return 0;
  const notches = deltaMode === DOM_DELTA_PAGE ? Math.abs(deltaY) : deltaMode === DOM_DELTA_LINE ? Math.abs(deltaY) / LINES_PER_NOTCH : Math.abs(deltaY) / PIXELS_PER_NOTCH;
  return -Math.sign(deltaY) * Math.min(16, Math.max(1, Math.round(notches)));
}

/**
 * The API key name of a DOM KeyboardEvent.key, or null for keys the guest's keyboard has no
 * scancode for (Dead, Unidentified, NumLock, ContextMenu, F13…): a NAMED_KEYS name, or exactly one
 * printable character (space included).
 */
export function guestKey(key: string): string | null {
  if (Object.hasOwn(NAMED_KEYS, key)) return key;
  const chars = [...key];
  return chars.length === 1 && key >= ' ' && key !== '\x7f' ? key : null;
}

/**
 * Keys the guest has been sent a press for and no release yet, by DOM KeyboardEvent.code (the
 * physical key), remembering the key name the press used: a release then names the same key even
 * when the character changed meanwhile (Shift let go before 'A'), and a grab released with keys
 * down can release them all.
 */
export class HeldKeys {
  private readonly byCode = new Map<string, string>();

  /** Record a press; returns the event to send, or null for a key the guest cannot take. */
  press(code: string, key: string): InputEventRequest | null {
    const name = guestKey(key);
    if (name === null) return null;
    this.byCode.set(code || name, name);
    return { type: 'key', key: name, action: 'press' };
  }

  /** The release for a key let go; null when the guest was never sent its press. */
  release(code: string, key: string): InputEventRequest | null {
    const id = code || guestKey(key) || '';
    const name = this.byCode.get(id);
    if (name === undefined) return null;
    this.byCode.delete(id);
    return { type: 'key', key: name, action: 'release' };
  }

  /** Releases for every key still down, newest first (and forget them). */
  releaseAll(): InputEventRequest[] {
    const out = [...this.byCode.values()].reverse().map((key): InputEventRequest => ({ type: 'key', key, action: 'release' }));
    this.byCode.clear();
    return out;
  }

  /** Control and Alt both down: virt-manager's chord that releases the grab. */
  releaseChord(): boolean {
    const names = new Set(this.byCode.values());
    return names.has('Control') && names.has('Alt');
  }
}

export interface InputPumpIO {
  /** One domain.input call; resolves when the host has queued the events. */
  send(events: InputEventRequest[]): Promise<unknown>;
  /** Run `callback` before the next repaint (requestAnimationFrame in the app). */
  nextFrame(callback: () => void): void;
  /** A refused call, reported once (see InputPump). */
  failed(err: unknown): void;
}

/**
 * Sends a VM window's input in order, one domain.input call at a time (each awaited; what
 * accumulated meanwhile goes in the next call, at most MAX_INPUT_EVENTS per call). Pointer motion
 * is coalesced: at most one position per animation frame, the newest, and a queued position not
 * yet sent is replaced rather than followed by another. A refusal is reported once; one that
 * depends on the domain's state (paused, shutting down, gone) drops all input until resume(),
 * which the window calls when the domain's state changes; any other refusal (a key the keymap
 * cannot type) is not reported again until a call succeeds.
 */
export class InputPump {
  private queue: InputEventRequest[] = [];
  private pendingPointer: { x: number; y: number; pipe?: 'B' | 'C' } | null = null;
  private frameRequested = false;
  private sending = false;
  private blocked = false;
  private lastError: string | null = null;

  constructor(private readonly io: InputPumpIO) {}

  /** The pointer moved to guest pixel (x, y) of head `pipe` (absent: A); sent with the next animation frame. */
  pointer(x: number, y: number, pipe?: 'B' | 'C'): void {
    if (this.blocked) return;
    this.pendingPointer = pipe ? { x, y, pipe } : { x, y };
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.io.nextFrame(() => {
      this.frameRequested = false;
      this.takePointer();
      this.drain();
    });
  }

  /** Keys, buttons and wheel steps: sent in order, after any motion before them. */
  push(...events: InputEventRequest[]): void {
    if (this.blocked || events.length === 0) return;
    this.takePointer();
    this.queue.push(...events);
    this.drain();
  }

  /** Accept input again (the domain's state changed). */
  resume(): void {
    this.blocked = false;
    this.lastError = null;
  }

  private takePointer(): void {
    const p = this.pendingPointer;
    if (!p) return;
    this.pendingPointer = null;
    const last = this.queue[this.queue.length - 1];
    if (last?.type === 'pointer') this.queue[this.queue.length - 1] = { type: 'pointer', ...p };
    else this.queue.push({ type: 'pointer', ...p });
  }

  private drain(): void {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.splice(0, MAX_INPUT_EVENTS);
    this.io.send(batch).then(
      () => {
        this.lastError = null;
        this.sent();
      },
      (err: unknown) => {
        this.refused(err);
        this.sent();
      },
    );
  }

  private sent(): void {
    this.sending = false;
    this.drain();
  }

  private refused(err: unknown): void {
    const message = errorMessage(err);
    const code = err instanceof ApiError ? err.code : (err as { code?: unknown } | null)?.code;
    if (code === 'state' || code === 'not_found') {
      if (!this.blocked) this.io.failed(err);
      this.blocked = true;
      this.queue = [];
      this.pendingPointer = null;
      return;
    }
    if (message !== this.lastError) this.io.failed(err);
    this.lastError = message;
  }
}
