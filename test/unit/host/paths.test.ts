import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolvePaths } from '../../../src/main/host/paths';

describe('paths', () => {
  it('defaults to $XDG_CONFIG_HOME/gvt-desk, else ~/.config/gvt-desk', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' }, '/home/u')).toBe('/xdg/gvt-desk');
    expect(defaultDataDir({}, '/home/u')).toBe('/home/u/.config/gvt-desk');
    // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
    expect(defaultDataDir({ XDG_CONFIG_HOME: 'rel' }, '/home/u')).toBe('/home/u/.config/gvt-desk');
  });

  it('puts the socket in the data dir by default', () => {
    expect(resolvePaths({}, {}, '/cwd', '/home/u')).toEqual({ dataDir: '/home/u/.config/gvt-desk', socketPath: '/home/u/.config/gvt-desk/gvt-desk.sock' });
  });

  it('prefers options over environment over defaults, resolving relative paths against cwd', () => {
    const env = { GVT_DESK_DATA_DIR: '/env/data', GVT_DESK_SOCKET: '/env/s.sock' };
    expect(resolvePaths({}, env, '/cwd', '/h')).toEqual({ dataDir: '/env/data', socketPath: '/env/s.sock' });
    expect(resolvePaths({ dataDir: 'd', socket: 's.sock' }, env, '/cwd', '/h')).toEqual({ dataDir: '/cwd/d', socketPath: '/cwd/s.sock' });
    expect(resolvePaths({ dataDir: '/opt/d' }, { GVT_DESK_DATA_DIR: '/env/data' }, '/cwd', '/h')).toEqual({ dataDir: '/opt/d', socketPath: '/opt/d/gvt-desk.sock' });
    expect(resolvePaths({ dataDir: '' }, { GVT_DESK_DATA_DIR: '' }, '/cwd', '/h').dataDir).toBe('/h/.config/gvt-desk');
  });
});
