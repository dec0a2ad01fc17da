import { describe, expect, it } from 'vitest';
import { GVT_DESK_UUID_NAMESPACE, domainUuid, uuidV5, vgpuUuid } from '../../../../src/main/vm/export/uuid';

describe('uuidV5', () => {
  it('matches known version 5 UUIDs (Python uuid.uuid5, RFC 9562 namespaces)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://example.com/')).toBe('dd2c1780-811a-5296-81c5-178a0ef488bc');
    // Upper-case namespace text is the same namespace.
    expect(uuidV5('6BA7B810-9DAD-11D1-80B4-00C04FD430C8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(RangeError);
  });
});

describe('vgpuUuid / domainUuid', () => {
  it('are stable per domain name, version 5 with the RFC variant, and distinct from each other', () => {
    const v = vgpuUuid('vgtHVMDomain');
    expect(v).toBe(vgpuUuid('vgtHVMDomain'));
    expect(v).toBe(uuidV5(GVT_DESK_UUID_NAMESPACE, 'vgpu:vgtHVMDomain'));
    // Pinned: a change here would orphan every vGPU users created from an earlier export.
    expect(v).toBe('900692a2-153f-57f5-989f-d81e18baff8d');
    expect(v).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(domainUuid('vgtHVMDomain')).not.toBe(v);
    expect(vgpuUuid('other')).not.toBe(v);
    expect(vgpuUuid('A')).not.toBe(vgpuUuid('a'));
  });
});
