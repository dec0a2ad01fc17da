/**
 * The text grid behind the desktop's terminal window: what a VT100-ish terminal does with a shell's
 * output. Printable characters go at the cursor and wrap at the right edge; "\n" starts a new line
 * (scrolling at the bottom), "\r" returns to column 0, "\b" moves left, BEL is ignored, and the
 * clear-screen sequence ESC [ H ESC [ 2 J empties the grid; other escape sequences are skipped.
 */
export class TerminalText {
  private grid: string[][];
  readonly cursor = { col: 0, row: 0 };
  /** Set by every change; the painter clears it. */
  dirty = true;
  /** Inside an escape sequence: 1 after ESC, 2 inside CSI; `csi` collects its parameter bytes. */
  private escape = 0;
  private csi = '';

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.grid = Array.from({ length: rows }, () => []);
  }

  /** The grid as one string per row (trailing blanks trimmed). */
  lines(): string[] {
    return this.grid.map((r) => r.join('').trimEnd());
  }

  /** The grid as one string per row, for drawing. */
  rowsText(): string[] {
    return this.grid.map((r) => r.join(''));
  }

  write(text: string): void {
    for (const ch of text) this.put(ch);
    this.dirty = true;
  }

  private put(ch: string): void {
    if (this.escape === 1) {
      this.escape = ch === '[' ? 2 : 0;
      this.csi = '';
      return;
    }
    if (this.escape === 2) {
      const c = ch.charCodeAt(0);
      if (c >= 0x40 && c <= 0x7e) {
        this.escape = 0;
        if (ch === 'J' && this.csi === '2') this.clear();
        else if (ch === 'H') this.cursor.col = this.cursor.row = 0;
      } else this.csi += ch;
      return;
    }
    switch (ch) {
      case '\x1b':
        this.escape = 1;
        return;
      case '\n':
        this.newline();
        return;
      case '\r':
        this.cursor.col = 0;
        return;
      case '\b':
        this.cursor.col = Math.max(0, this.cursor.col - 1);
        return;
      case '\x07':
        return;
    }
    if (ch.charCodeAt(0) < 0x20) return;
    if (this.cursor.col >= this.cols) this.newline();
    const row = this.grid[this.cursor.row];
    while (row.length < this.cursor.col) row.push(' ');
    row[this.cursor.col++] = ch;
  }

  private newline(): void {
    this.cursor.col = 0;
    if (this.cursor.row < this.rows - 1) this.cursor.row++;
    else {
      this.grid.shift();
      this.grid.push([]);
    }
  }

  private clear(): void {
    this.grid = Array.from({ length: this.rows }, () => []);
    this.cursor.col = this.cursor.row = 0;
  }
}
