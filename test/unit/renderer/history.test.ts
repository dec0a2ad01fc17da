import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, MAX_STORED_CHARS, MAX_STORED_ENTRY, StoredHistory, type HistoryStorage } from '../../../src/renderer/lib/history';

const KEY = 'gvt-desk.dom0.history';

function memoryStorage(initial?: string): HistoryStorage & { value: string | null } {
  const s = {
    value: initial ?? null,
    getItem: () => s.value,
    setItem: (_key: string, value: string) => {
      s.value = value;
    },
  };
  return s;
}

describe('StoredHistory', () => {
  it('stores entries as a JSON array and loads them back', () => {
    const storage = memoryStorage();
    const h = new StoredHistory(storage, KEY);
    h.add('xl list');
    h.add('xl list'); // a repeat of the newest is not stored again
    h.add('xl info');
    expect(JSON.parse(storage.value!)).toEqual(['xl list', 'xl info']);
    expect(new StoredHistory(storage, KEY).load()).toEqual(['xl list', 'xl info']);
  });

  it('reads a corrupt stored value as empty, keeps the valid entries of a mixed array, and overwrites it on the next add', () => {
    for (const bad of ['{not json', '{"a":1}', '"xl list"', 'null', '42']) {
      const storage = memoryStorage(bad);
      const h = new StoredHistory(storage, KEY);
      expect(h.load(), bad).toEqual([]);
      h.add('xl list');
      expect(JSON.parse(storage.value!)).toEqual(['xl list']);
    }
    const mixed = memoryStorage(JSON.stringify([1, 'xl list', null, 'a\nb', '', { x: 1 }, 'xl info']));
    expect(new StoredHistory(mixed, KEY).load()).toEqual(['xl list', 'xl info']);
  });

  it('keeps the newest HISTORY_LIMIT entries', () => {
    const storage = memoryStorage(JSON.stringify(Array.from({ length: HISTORY_LIMIT + 20 }, (_, i) => `echo ${i}`)));
    const h = new StoredHistory(storage, KEY);
    expect(h.load()).toHaveLength(HISTORY_LIMIT);
    h.add('xl list');
    const stored = JSON.parse(storage.value!) as string[];
    expect(stored).toHaveLength(HISTORY_LIMIT);
    expect(stored[0]).toBe('echo 21');
    expect(stored[HISTORY_LIMIT - 1]).toBe('xl list');
  });

  it('bounds what it stores: no overlong entry, at most MAX_STORED_CHARS in all', () => {
    const storage = memoryStorage();
    const h = new StoredHistory(storage, KEY);
    h.add('x'.repeat(MAX_STORED_ENTRY + 1));
    expect(storage.value).toBeNull();
    const long = 'y'.repeat(MAX_STORED_ENTRY - 10);
    for (let i = 0; i < 100; i++) h.add(`${long}${i}`);
    expect(storage.value!.length).toBeLessThanOrEqual(MAX_STORED_CHARS);
    expect((JSON.parse(storage.value!) as string[]).at(-1)).toBe(`${long}99`);
  });

  it('appends to what another console stored meanwhile', () => {
    const storage = memoryStorage();
    const a = new StoredHistory(storage, KEY);
    const b = new StoredHistory(storage, KEY);
    a.add('xl list');
    b.add('xl info');
    expect(new StoredHistory(storage, KEY).load()).toEqual(['xl list', 'xl info']);
  });

  it('lives without storage: refused writes, throwing reads, none at all', () => {
    const full: HistoryStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    expect(() => new StoredHistory(full, KEY).add('xl list')).not.toThrow();
    const denied: HistoryStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => undefined,
    };
    expect(new StoredHistory(denied, KEY).load()).toEqual([]);
    const none = new StoredHistory(null, KEY);
    none.add('xl list');
    expect(none.load()).toEqual([]);
  });
});
