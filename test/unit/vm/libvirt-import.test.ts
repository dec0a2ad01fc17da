import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';
import { Library } from '../../../src/main/vm/library';
import { libvirtToXl, looksLikeXml, parseLibvirtDomain } from '../../../src/main/vm/libvirt-import';
import { formatFinding } from '../../../src/main/vm/xlcfg';

const UUID = '4b20d080-1b54-4048-85b3-a6a62d165c01';

/** A domain as `virsh dumpxml` prints one of a KVMGT guest (no GVT Desk metadata). */
const dumpxml = `<domain type='kvm' id='3'>
  <name>win10-gvt</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>4194304</memory>
  <currentMemory unit='KiB'>4194304</currentMemory>
  <vcpu placement='static' current='2'>4</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/win10.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>
    <interface type='network'><source network='default'/></interface>
    <input type='tablet' bus='usb'/>
    <graphics type='spice' keymap='de'><listen type='none'/><gl enable='yes'/></graphics>
    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' display='on'>
      <source>
        <address uuid='${UUID.toUpperCase()}'/>
      </source>
    </hostdev>
  </devices>
</domain>
`;

/** Findings as `file:line:col: severity: field: message`. */
const findingsOf = (text: string): string[] => parseLibvirtDomain(text, 'vm.xml').findings.map(formatFinding);

describe('looksLikeXml', () => {
  it('is true for text starting with < (after blanks or a BOM), false for xl and shell', () => {
    expect(looksLikeXml(dumpxml)).toBe(true);
    expect(looksLikeXml('\uFEFF\n  <?xml version="1.0"?><domain/>')).toBe(true);
    expect(looksLikeXml("name = 'x'\n")).toBe(false);
    expect(looksLikeXml('qemu-system-x86_64 -vgt < /dev/null')).toBe(false);
  });
});

describe('parseLibvirtDomain', () => {
  it('reads a virsh dumpxml of a KVMGT guest: name, memory in MiB, current vCPUs, the mdev, tablet, keymap', () => {
    const { settings, findings } = parseLibvirtDomain(dumpxml, 'vm.xml');
    expect(findings).toEqual([]);
    expect(settings).toEqual({
      name: 'win10-gvt',
      memoryMiB: 4096,
      vcpus: 2,
      mdevUuid: UUID,
      vgpuType: null,
      keymap: 'de',
      tablet: true,
      otherDevices: ['disk', 'disk', 'interface'],
      notes: [],
    });
  });

  it('converts to xl that GVT Desk reads, saying what it could not carry over', () => {
    const { settings } = parseLibvirtDomain(dumpxml, 'vm.xml');
    const text = libvirtToXl(settings!, 'vm.xml');
    const { spec, findings } = readDomainConfig(text, 'win10-gvt.cfg');
    expect(findings).toEqual([]);
    expect(spec).toMatchObject({ name: 'win10-gvt', memoryMiB: 4096, vcpus: 2, vgt: true, vgpuType: null, keymap: 'de', tablet: true });
    expect(text).toContain(`# vGPU: the mdev with UUID ${UUID}; the XML does not say its type, so GVT Desk's default sizes are used (set gvt_vgpu_type).\n`);
    expect(text).toContain('# libvirt devices with no xl equivalent here: disk x2, interface.\n');
  });

  it("reads libvirt's memory units (KiB by default, k/KiB, M/MiB, G/GiB, KB = 1000, bytes)", () => {
    const withMemory = (m: string): number | undefined => parseLibvirtDomain(dumpxml.replace("<memory unit='KiB'>4194304</memory>", m), 'vm.xml').settings?.memoryMiB;
    expect(withMemory('<memory>1048576</memory>')).toBe(1024);
    expect(withMemory("<memory unit='G'>2</memory>")).toBe(2048);
    expect(withMemory("<memory unit='GiB'>2</memory>")).toBe(2048);
    expect(withMemory("<memory unit='MiB'>512</memory>")).toBe(512);
    expect(withMemory("<memory unit='m'>512</memory>")).toBe(512);
    expect(withMemory("<memory unit='bytes'>268435456</memory>")).toBe(256);
    expect(withMemory("<memory unit='KB'>1048576</memory>")).toBe(1000);
  });

  it('reports malformed XML at its line and column', () => {
    expect(findingsOf('<domain type="kvm">\n  <name>x</name>\n  <memory unit="MiB">512</memry>\n</domain>')).toEqual([
      "vm.xml:3:25: error: not well-formed XML: Expected closing tag 'memory' (opened in line 3, col 3) instead of closing tag 'memry'.",
    ]);
    expect(findingsOf('<domain><name>x</name>')[0]).toMatch(/^vm\.xml:1:\d+: error: not well-formed XML: /);
    expect(findingsOf('<domain a="1" a="2"/>')[0]).toMatch(/^vm\.xml:1:\d+: error: not well-formed XML: .*repeated/);
  });

  it('reports a domain without a mediated device at its <devices> (or <domain>)', () => {
    const noMdev = dumpxml.replace(/<hostdev[\s\S]*<\/hostdev>\n/, '');
    expect(findingsOf(noMdev)).toEqual([
      "vm.xml:10:3: error: devices: no mediated device (vGPU): GVT Desk imports KVMGT guests, whose <devices> hold <hostdev mode='subsystem' type='mdev' model='vfio-pci'> with <source><address uuid='…'/></source>",
    ]);
    expect(findingsOf("<domain type='kvm'>\n <name>a</name>\n <memory>524288</memory>\n</domain>")).toEqual([
      "vm.xml:1:1: error: devices: no <devices> and so no mediated device (vGPU): GVT Desk imports KVMGT guests, whose <devices> hold <hostdev mode='subsystem' type='mdev' model='vfio-pci'> with <source><address uuid='…'/></source>",
    ]);
  });

  it('reports bad or missing elements at the element, each with the field and the reason', () => {
    const bad = dumpxml
      .replace('<name>win10-gvt</name>', '<name>my guest</name>')
      .replace("<memory unit='KiB'>4194304</memory>", "<memory unit='KiB'>1000</memory>")
      .replace("<vcpu placement='static' current='2'>4</vcpu>", '<vcpu>two</vcpu>')
      .replace("model='vfio-pci' display='on'", "model='vfio-ccw'");
    expect(findingsOf(bad)).toEqual([
      "vm.xml:2:3: error: name: 'my guest' cannot be a GVT Desk domain name: use 1-64 letters, digits, '.', '_' or '-'",
      "vm.xml:4:3: error: memory: 1000 KiB is not a whole number of MiB (xl's memory= is in MiB)",
      "vm.xml:6:3: error: vcpu: must be a number of virtual CPUs (1 or more), got 'two'",
      "vm.xml:17:5: error: hostdev: model='vfio-ccw' is not a GVT-g vGPU: an Intel vGPU is an mdev with model='vfio-pci'",
    ]);
    expect(findingsOf("<domain>\n<memory unit='parsecs'>1</memory><devices/></domain>")).toEqual([
      'vm.xml:1:1: error: name: missing: libvirt domain XML must have a <name>',
      "vm.xml:2:1: error: memory: unknown unit 'parsecs' (libvirt's units: b, KB, k or KiB, MB, M or MiB, GB, G or GiB, …)",
      expect.stringContaining('vm.xml:2:34: error: devices: no mediated device (vGPU)'),
    ]);
    const noUuid = dumpxml.replace(`<address uuid='${UUID.toUpperCase()}'/>`, '');
    expect(findingsOf(noUuid)).toEqual(["vm.xml:17:5: error: hostdev: the mdev has no <source><address uuid='…'/></source>"]);
    const twoMdevs = dumpxml.replace('</devices>', `<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='${UUID}'/></source></hostdev>\n  </devices>`);
    expect(findingsOf(twoMdevs)).toEqual(['vm.xml:22:3: error: hostdev: a second mediated device: a GVT Desk domain has one vGPU']);
  });

  it('refuses another root element, a DOCTYPE, and an unknown mdev type in GVT Desk metadata', () => {
    expect(findingsOf('<?xml version="1.0"?>\n<network><name>default</name></network>')).toEqual([
      "vm.xml:2:1: error: the root element is <network>; libvirt domain XML has <domain type='kvm'>",
    ]);
    expect(findingsOf('<!DOCTYPE d [<!ENTITY x "y">]>\n<domain/>')).toEqual([
      'vm.xml:1:1: error: a DOCTYPE is not allowed: libvirt domain XML has none, and GVT Desk does not expand entity declarations',
    ]);
    const meta = dumpxml.replace('<memory', `<metadata><g:vgpu xmlns:g="urn:gvt-desk:libvirt:1" mdev_type="i915-GVTg_V9_9"/></metadata>\n  <memory`);
    expect(findingsOf(meta)).toEqual(["vm.xml:4:13: error: metadata: mdev_type 'i915-GVTg_V9_9' is not a GVT-g vGPU type (i915-GVTg_V5_8, _4, _2 or _1)"]);
    // The same element in another namespace is someone else's: ignored.
    const foreign = meta.replace('urn:gvt-desk:libvirt:1', 'urn:example:other');
    expect(parseLibvirtDomain(foreign, 'vm.xml').findings).toEqual([]);
  });

  it('reads the vGPU type from GVT Desk metadata, whatever prefix the namespace has', () => {
    const meta = dumpxml.replace("<domain type='kvm' id='3'>", "<domain type='kvm' xmlns:gd='urn:gvt-desk:libvirt:1'>").replace('<memory', '<metadata><gd:vgpu mdev_type="i915-GVTg_V5_2"/></metadata>\n  <memory');
    expect(parseLibvirtDomain(meta, 'vm.xml').settings?.vgpuType).toBe('GVTg_V5_2');
  });

  it('never throws, whatever the text', () => {
    for (const text of ['<', '<<<>>>', '<domain', '<domain>&bogus;</domain>', '<a><b></a></b>', `<domain>${'<x>'.repeat(200)}`, '<domain><name>\u0000</name></domain>', readFileSync(__filename, 'utf8')]) {
      expect(() => parseLibvirtDomain(text, 'x.xml')).not.toThrow();
      expect(parseLibvirtDomain(text, 'x.xml').settings).toBeNull();
    }
  });
});

describe('Library.import of libvirt XML', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gvt-libvirt-import-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('converts it to xl under its <name>, remembering where it came from', () => {
    const lib = new Library(dir);
    const entry = lib.import('/home/u/win10.xml', dumpxml);
    expect(entry.name).toBe('win10-gvt');
    expect(entry.fileName).toBe('win10-gvt.cfg');
    expect(entry.spec).toMatchObject({ memoryMiB: 4096, vcpus: 2, vgt: true });
    const meta = JSON.parse(readFileSync(path.join(dir, 'win10-gvt.meta.json'), 'utf8'));
    expect(meta.convertedFrom).toEqual({ format: 'libvirt', fileName: 'win10.xml' });
  });

  it('refuses malformed XML or a domain without an mdev with located errors, writing nothing', () => {
    const lib = new Library(dir);
    for (const [text, message] of [
      ['<domain>\n<name>x</nam>\n</domain>', "cannot import bad.xml: it is not a KVMGT guest's libvirt domain XML:\nbad.xml:2:8: error: not well-formed XML: Expected closing tag 'name' (opened in line 2, col 1) instead of closing tag 'nam'."],
      ["<domain>\n<name>x</name>\n<memory>524288</memory>\n<devices>\n</devices>\n</domain>", "cannot import bad.xml: it is not a KVMGT guest's libvirt domain XML:\nbad.xml:4:1: error: devices: no mediated device (vGPU)"],
    ] as const) {
      let err: unknown;
      try {
        lib.import('bad.xml', text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('config');
      expect((err as ApiError).message).toContain(message);
    }
    expect(lib.list()).toEqual([]);
  });
});
