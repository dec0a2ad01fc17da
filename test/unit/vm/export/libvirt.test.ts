import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { exportEntry } from '../../../../src/main/vm/export';
import { exportLibvirt } from '../../../../src/main/vm/export/libvirt';
import { domainUuid, vgpuUuid } from '../../../../src/main/vm/export/uuid';
import { vgpuTypeFor } from '../../../../src/main/vm/export/vgpu-type';
import { apiError, guideSpec, hvm, specOf, withLibrary } from './helpers';

/** virt-xml-validate (Debian libvirt-clients) runs xmllint (libxml2-utils) with libvirt's RelaxNG schemas. */
const hasValidator = ['virt-xml-validate', 'xmllint'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
if (!hasValidator) console.warn('libvirt export: virt-xml-validate or xmllint is not installed (apt-get install libvirt-clients libxml2-utils); the schema test is skipped');

/** Validate XML with libvirt's own domain schema: its exit status and what it printed (xmllint reports on stderr). */
function virtXmlValidate(xml: string): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'gvt-libvirt-'));
  try {
    const file = path.join(dir, 'domain.xml');
    writeFileSync(file, xml);
    const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, commentPropName: '#comment' });

describe('libvirt export', () => {
  it.skipIf(!hasValidator)(`validates with libvirt's own schema (virt-xml-validate${hasValidator ? '' : ': SKIPPED, not installed'})`, () => {
    for (const spec of [
      guideSpec(),
      guideSpec({ tablet: false, keymap: 'de' }),
      guideSpec({ name: 'a--b.c_d', vgpuType: 'GVTg_V5_1', lowGmMiB: 512, highGmMiB: 2048 }),
      guideSpec({ name: 'x'.repeat(64), memoryMiB: 65536, vcpus: 64 }),
    ]) {
      const r = virtXmlValidate(exportLibvirt(spec));
      expect(r.output).toMatch(/domain\.xml validates/);
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(!hasValidator)('the schema oracle does catch a broken domain (so a pass means something)', () => {
    const broken = exportLibvirt(guideSpec()).replace('model="vfio-pci"', 'model="vfio-gpu"');
    const r = virtXmlValidate(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/fails to validate/);
  });

  it("describes the vGPU as an mdev hostdev with display on, and keeps name, memory, vCPUs and the mdev type", () => {
    const uuid = vgpuUuid('vgtHVMDomain');
    const doc = parser.parse(exportLibvirt(guideSpec({ vcpus: 2 })));
    const d = doc.domain;
    expect(d['@_type']).toBe('kvm');
    expect(d.name).toBe('vgtHVMDomain');
    expect(d.uuid).toBe(domainUuid('vgtHVMDomain'));
    expect(d.memory).toEqual({ '#text': '2048', '@_unit': 'MiB' });
    expect(d.vcpu).toBe('2');
    expect(d.devices.hostdev).toMatchObject({ '@_mode': 'subsystem', '@_type': 'mdev', '@_model': 'vfio-pci', '@_display': 'on', '@_ramfb': 'on', source: { address: { '@_uuid': uuid } } });
    expect(d.metadata['gvt:vgpu']).toMatchObject({ '@_xmlns:gvt': 'urn:gvt-desk:libvirt:1', '@_mdev_type': 'i915-GVTg_V5_4', '@_parent': '0000:00:02.0', '@_uuid': uuid });
    // display='on' needs a graphics device; x-igd-opregion goes through <qemu:override> on the hostdev's alias.
    expect(d.devices.graphics['@_type']).toBe('spice');
    expect(d['qemu:override']['qemu:device']['@_alias']).toBe(d.devices.hostdev.alias['@_name']);
    expect(d['qemu:override']['qemu:device']['qemu:frontend']['qemu:property']).toEqual({ '@_name': 'x-igd-opregion', '@_type': 'bool', '@_value': 'true' });
    expect(d.devices.input).toEqual({ '@_type': 'tablet', '@_bus': 'usb' });
    expect(doc['#comment']).toContain(`mdev type i915-GVTg_V5_4, UUID ${uuid}`);
  });

  it('escapes what it writes and keeps comments well-formed', () => {
    // Names are [A-Za-z0-9_.-], but "--" may end an XML comment: the name stays out of it.
    const xml = exportLibvirt(guideSpec({ name: 'a--b' }));
    expect(xml.split('-->')[0]).not.toContain('a--b');
    expect(parser.parse(xml).domain.name).toBe('a--b');
  });

  it('imports back: the round trip keeps name, memory, vCPUs and the vGPU type', () => {
    for (const spec of [guideSpec({ vcpus: 3 }), guideSpec({ name: 'small', memoryMiB: 512, lowGmMiB: 64, highGmMiB: 384, tablet: false, keymap: 'de' }), specOf("name = 't2'\nvgt = 1\ngvt_vgpu_type = 'GVTg_V5_2'\nmemory = 4096\n")]) {
      const entry = withLibrary((lib) => lib.import(`${spec.name}.xml`, exportLibvirt(spec)));
      expect(entry.findings).toEqual([]);
      expect(entry.spec).toMatchObject({ name: spec.name, memoryMiB: spec.memoryMiB, vcpus: spec.vcpus, vgt: true, vgpuType: vgpuTypeFor(spec).name, tablet: spec.tablet, keymap: spec.keymap });
      // And exporting the imported domain gives the same XML (same UUIDs, same type).
      expect(exportLibvirt(entry.spec!)).toBe(exportLibvirt(spec));
    }
  });

  it('is what exportEntry gives for the library domain; refuses a domain without a vGPU', () => {
    const exported = withLibrary((lib) => exportEntry(lib.import('xlexample.hvm', hvm), 'libvirt'));
    expect(exported).toEqual({ text: exportLibvirt(guideSpec()), suggestedName: 'vgtHVMDomain.xml' });
    expect(apiError(() => exportLibvirt(guideSpec({ vgt: false }))).message).toContain('vgtHVMDomain has no vGPU (vgt=1 is not set)');
  });
});
