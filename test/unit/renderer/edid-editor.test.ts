// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import EdidEditor from '../../../src/renderer/components/EdidEditor.vue';
import { checksumStatus } from '../../../src/renderer/lib/edid-edit';
import { decodeEdid, edidToHex, modeLine, parseEdidText, preferredTiming } from '../../../src/shared/edid';
import { libraryMonitor } from '../../../src/shared/edid-library';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** What the parent holds: the editor's two v-models. */
interface Bound {
  bytes: Uint8Array;
  hexOk: boolean;
}
let bound: Bound;

/** The editor with v-model (bytes) and v-model:hex-ok wired to props, as a parent would. */
function setup(bytes: Uint8Array = libraryMonitor('generic-1024x768')!.bytes.slice()) {
  bound = { bytes, hexOk: true };
  const w = mount(EdidEditor, {
    attachTo: document.body,
    props: {
      modelValue: bytes,
      'onUpdate:modelValue': (v: Uint8Array) => {
        bound.bytes = v;
        void w.setProps({ modelValue: v });
      },
      hexOk: true,
      'onUpdate:hexOk': (v: boolean) => {
        bound.hexOk = v;
        void w.setProps({ hexOk: v });
      },
    },
  });
  wrapper = w as unknown as VueWrapper;
  return wrapper;
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const model = (_w: VueWrapper): Uint8Array => bound.bytes;
const hexText = (w: VueWrapper): string => (byTestId(w, 'edid-hex').element as HTMLTextAreaElement).value;

async function change(w: VueWrapper, testid: string, value: string): Promise<void> {
  const el = byTestId(w, testid);
  (el.element as HTMLInputElement).value = value;
  await el.trigger('change');
  await flushPromises();
}

async function typeHex(w: VueWrapper, text: string): Promise<void> {
  const el = byTestId(w, 'edid-hex');
  (el.element as HTMLTextAreaElement).value = text;
  await el.trigger('input');
  await flushPromises();
}

describe('EDID editor', () => {
  it('shows the decoded fields of the EDID it is given', () => {
    const w = setup();
    expect((byTestId(w, 'edid-name').element as HTMLInputElement).value).toBe('GVT 1024x768');
    expect((byTestId(w, 'edid-vendor').element as HTMLInputElement).value).toBe('GVT');
    expect((byTestId(w, 'edid-width').element as HTMLInputElement).value).toBe('1024');
    expect((byTestId(w, 'edid-height').element as HTMLInputElement).value).toBe('768');
    expect((byTestId(w, 'edid-clock').element as HTMLInputElement).value).toBe('65000');
    expect(byTestId(w, 'edid-mode').text()).toBe('1024x768@60.00');
    expect(byTestId(w, 'edid-checksum').text()).toContain('✓');
    expect(hexText(w)).toBe(edidToHex(model(w)));
  });

  it('editing width and height recomputes the timing; the hex follows and decodes to the new mode with a valid checksum', async () => {
    const w = setup();
    await change(w, 'edid-width', '1280');
    await change(w, 'edid-height', '720');
    const bytes = model(w);
    const { edid, findings } = decodeEdid(bytes);
    expect(modeLine(preferredTiming(edid!)!)).toEqual({ width: 1280, height: 720, refreshHz: 60 });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(checksumStatus(bytes).every((c) => c.ok)).toBe(true);
    // The hex view is the new bytes, and parses back to them.
    expect(hexText(w)).toBe(edidToHex(bytes));
    expect(parseEdidText(hexText(w)).bytes).toEqual(bytes);
    // The timing fields show the recomputed timing.
    expect((byTestId(w, 'edid-clock').element as HTMLInputElement).value).toBe('64020');
    expect((byTestId(w, 'edid-hblank').element as HTMLInputElement).value).toBe('160');
    // Other fields are untouched.
    expect(edid!.monitorName).toBe('GVT 1024x768');
  });

  it('editing a timing field or the name re-encodes through the codec', async () => {
    const w = setup();
    await change(w, 'edid-clock', '70000');
    expect(preferredTiming(decodeEdid(model(w)).edid!)!.pixelClockKHz).toBe(70000);
    await change(w, 'edid-name', 'My Panel');
    expect(decodeEdid(model(w)).edid!.monitorName).toBe('My Panel');
    expect(checksumStatus(model(w))[0]!.ok).toBe(true);
    expect(hexText(w)).toBe(edidToHex(model(w)));
  });

  it('a value that does not fit is reported and changes nothing', async () => {
    const w = setup();
    const before = model(w);
    await change(w, 'edid-name', 'A name far too long');
    expect(byTestId(w, 'edid-field-error').text()).toMatch(/Monitor name: .*13 printable ASCII/);
    expect(model(w)).toBe(before);
  });

  it('typing hex updates the form; the text stays as typed', async () => {
    const w = setup();
    const other = libraryMonitor('generic-1280x1024')!.bytes;
    const typed = edidToHex(other).toUpperCase().replace(/\n/g, '\n  ');
    await typeHex(w, typed);
    expect(model(w)).toEqual(other);
    expect(hexText(w)).toBe(typed);
    expect((byTestId(w, 'edid-width').element as HTMLInputElement).value).toBe('1280');
    expect(bound.hexOk).toBe(true);
  });

  it('bad hex: the error names the line, the model keeps the last EDID, the text is not lost', async () => {
    const w = setup();
    const before = model(w);
    const lines = edidToHex(before).split('\n');
    lines[3] = 'zz' + lines[3]!.slice(2);
    const bad = lines.join('\n');
    await typeHex(w, bad);
    expect(byTestId(w, 'edid-hex-error').text()).toContain('line 4');
    expect(model(w)).toBe(before);
    expect(hexText(w)).toBe(bad);
    expect(bound.hexOk).toBe(false);
    // The form still shows the last good EDID.
    expect((byTestId(w, 'edid-width').element as HTMLInputElement).value).toBe('1024');
  });

  it('hex with a broken checksum and timing: findings with byte offsets, then Fix checksums', async () => {
    const w = setup();
    const bytes = model(w).slice();
    bytes[127] = (bytes[127]! + 1) & 0xff; // checksum
    // DTD 1 horizontal blanking (byte 57 and the low nibble of 58) to 0: less than sync offset + width.
    bytes[54 + 3] = 0;
    bytes[54 + 4]! &= 0xf0;
    await typeHex(w, edidToHex(bytes));
    expect(model(w)).toEqual(bytes);
    const findings = w.findAll('[data-testid="edid-finding"]').map((f) => f.text());
    expect(findings.some((f) => f.includes('byte 54 (0x36, line 4)') && f.includes('horizontal blanking'))).toBe(true);
    expect(findings.some((f) => f.includes('byte 127 (0x7f, line 8)') && /checksum/i.test(f))).toBe(true);
    expect(byTestId(w, 'edid-checksum').text()).toContain('✗');

    await byTestId(w, 'edid-fix-checksums').trigger('click');
    await flushPromises();
    expect(checksumStatus(model(w))[0]!.ok).toBe(true);
    expect(byTestId(w, 'edid-checksum').text()).toContain('✓');
    expect(hexText(w)).toBe(edidToHex(model(w)));
  });

  it('starts from the monitor library and imports a .bin file', async () => {
    const w = setup();
    const select = byTestId(w, 'edid-library');
    await select.setValue('generic-1920x1080');
    await flushPromises();
    expect(model(w)).toEqual(libraryMonitor('generic-1920x1080')!.bytes);
    expect((select.element as HTMLSelectElement).value).toBe('');

    const pa238 = libraryMonitor('asus-pa238')!.bytes;
    const input = byTestId(w, 'edid-import');
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array(pa238)], 'pa238.bin')], configurable: true });
    await input.trigger('change');
    await flushPromises();
    await new Promise((r) => setTimeout(r, 0));
    await flushPromises();
    expect(model(w)).toEqual(pa238);
    expect((byTestId(w, 'edid-name').element as HTMLInputElement).value).toBe('ASUS PA238');
  });
});
