/**
 * A bounded text buffer: a command's standard output (for a pipe or a redirection) or the
 * console's output. Past its limit further text is dropped and `cut` is set.
 */
export class BoundedText {
  private readonly parts: string[] = [];
  private size = 0;
  /** Text was dropped because the buffer was full. */
  cut = false;

  constructor(private readonly limit: number) {}

  write(text: string): void {
    if (text === '') return;
    const room = this.limit - this.size;
    if (text.length > room) {
      this.cut = true;
      if (room <= 0) return;
      text = text.slice(0, room);
    }
    this.parts.push(text);
    this.size += text.length;
  }

  text(): string {
    return this.parts.join('');
  }
}
