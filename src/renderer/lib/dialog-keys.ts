/**
 * Keyboard handling shared by the modal dialogs: Escape closes (unless something inside, e.g.
 * CodeMirror closing its own panel, already handled it); Ctrl/Cmd-S saves when the dialog can;
 * Enter confirms in dialogs that ask a question (unless focus is on a control, which Enter
 * activates itself: Enter on a focused Cancel button cancels).
 * Registers on mount and unregisters on unmount of the calling component.
 */
import { onBeforeUnmount, onMounted } from 'vue';

const ENTER_HANDLED_BY = new Set(['BUTTON', 'A', 'INPUT', 'SELECT', 'TEXTAREA']);

export function useDialogKeys(close: () => void, save?: { run: () => void; enabled: () => boolean }, confirm?: () => void): void {
  function onKeydown(ev: KeyboardEvent): void {
    if (ev.key === 'Escape' && !ev.defaultPrevented) close();
    else if (save && (ev.ctrlKey || ev.metaKey) && ev.key === 's') {
      ev.preventDefault();
      if (save.enabled()) save.run();
    } else if (confirm && ev.key === 'Enter' && !ev.defaultPrevented && !ENTER_HANDLED_BY.has((ev.target as Element | null)?.tagName ?? '')) {
      ev.preventDefault();
      confirm();
    }
  }
  onMounted(() => document.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => document.removeEventListener('keydown', onKeydown));
}
