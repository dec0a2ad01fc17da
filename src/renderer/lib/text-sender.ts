/**
 * What a user types on a guest's serial line, sent in order: one domain.serialInput call at a
 * time (each awaited), keystrokes typed meanwhile joined into the next call, at most
 * MAX_SERIAL_INPUT characters per call (a long paste goes in several). Used by the Serial tab and
 * by the Dom0 console while attached with `xl console`.
 */
import { MAX_SERIAL_INPUT } from '../../shared/api';
import { errorMessage } from './errors';

export class TextSender {
  private pending = '';
  private sending = false;
  private lastError: string | null = null;

  /**
   * @param send one domain.serialInput call
   * @param failed a refused call (a paused domain…): the text of that call is lost, later text is
   *   still sent; the same refusal again is not reported until a call has succeeded
   */
  constructor(
    private readonly send: (text: string) => Promise<unknown>,
    private readonly failed: (message: string) => void,
  ) {}

  type(data: string): void {
    this.pending += data;
    this.drain();
  }

  private drain(): void {
    if (this.sending || !this.pending) return;
    // Never split a surrogate pair between two calls.
    let n = Math.min(this.pending.length, MAX_SERIAL_INPUT);
    if (n < this.pending.length && /[\ud800-\udbff]/.test(this.pending[n - 1]!)) n--;
    const chunk = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    this.sending = true;
    this.send(chunk)
      .then(
        () => {
          this.lastError = null;
        },
        (err: unknown) => {
          const message = errorMessage(err);
          if (message !== this.lastError) this.failed(message);
          this.lastError = message;
        },
      )
      .finally(() => {
        this.sending = false;
        this.drain();
      });
  }
}
