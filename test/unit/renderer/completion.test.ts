import { describe, expect, it } from 'vitest';
import { columns, commonPrefix, shownName, tabAction } from '../../../src/renderer/lib/completion';

describe('tabAction', () => {
  it('completes a unique candidate with a space, a directory without one', () => {
    expect(tabAction('xl cr', { from: 3, candidates: ['create'] }, false, 80)).toEqual({ kind: 'replace', line: 'xl create ' });
    expect(tabAction('cat /sys/kernel/v', { from: 4, candidates: ['/sys/kernel/vgt/'] }, false, 80)).toEqual({ kind: 'replace', line: 'cat /sys/kernel/vgt/' });
  });

  it('completes several to their common prefix, then lists them on a second Tab', () => {
    const c = { from: 3, candidates: ['/sys/kernel/vgt/vm1/', '/sys/kernel/vgt/vm12/'] };
    expect(tabAction('ls /sys/kernel/vgt/v', c, false, 80)).toEqual({ kind: 'replace', line: 'ls /sys/kernel/vgt/vm1' });
    // Nothing to add: the first Tab rings, the second lists (columns as wide as vm12/ plus two).
    expect(tabAction('ls /sys/kernel/vgt/vm1', c, false, 80)).toEqual({ kind: 'bell' });
    expect(tabAction('ls /sys/kernel/vgt/vm1', c, true, 80)).toEqual({ kind: 'list', rows: ['vm1/   vm12/'] });
  });

  it('rings the bell for no candidates, even on a second Tab', () => {
    expect(tabAction('frob', { from: 0, candidates: [] }, false, 80)).toEqual({ kind: 'bell' });
    expect(tabAction('frob', { from: 0, candidates: [] }, true, 80)).toEqual({ kind: 'bell' });
  });

  it('keeps `from` inside the line', () => {
    expect(tabAction('xl', { from: 99, candidates: ['list'] }, false, 80)).toEqual({ kind: 'replace', line: 'xllist ' });
  });
});

describe('listing helpers', () => {
  it('commonPrefix', () => {
    expect(commonPrefix(['create', 'console'])).toBe('c');
    expect(commonPrefix(['list', 'list-l'])).toBe('list');
    expect(commonPrefix([])).toBe('');
  });

  it('shownName lists paths by their last component', () => {
    expect(shownName('/etc/xen/xlexample.hvm')).toBe('xlexample.hvm');
    expect(shownName('/sys/kernel/vgt/')).toBe('vgt/');
    expect(shownName('xl')).toBe('xl');
  });

  it('columns fills top to bottom, as many columns as fit', () => {
    const items = ['a', 'bb', 'ccc', 'dddd', 'e'];
    // 6 columns wide each (4 + 2): two fit in 13.
    expect(columns(items, 13)).toEqual(['a     dddd', 'bb    e', 'ccc']);
    expect(columns(items, 80)).toEqual(['a     bb    ccc   dddd  e']);
    expect(columns(['verylongname'], 4)).toEqual(['verylongname']);
  });
});
