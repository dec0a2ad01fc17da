import type { ITheme } from '@xterm/xterm';

/** Shared by the Dom0 console and the serial consoles so both match the app's dark palette. */
export const terminalTheme: ITheme = {
  background: '#0f1115',
  foreground: '#d7dae0',
  cursor: '#d7dae0',
  selectionBackground: 'rgba(76, 141, 255, 0.35)',
};

export const terminalFont = "ui-monospace, 'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, monospace";
