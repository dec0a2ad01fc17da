/**
 * Keyboard handling shared by the modal dialogs: Escape closes (unless something inside, e.g.
 * CodeMirror closing its own panel, already handled it); Ctrl/Cmd-S saves when the dialog can.
 * Registers on mount and unregisters on unmount of the calling component.
 */
import { onBeforeUnmount, onMounted } from 'vue';

export function useDialogKeys(close: () => void, save?: { run: () => void; enabled: () => boolean }): void {
  function onKeydown(ev: KeyboardEvent): void {
    if (ev.key === 'Escape' && !ev.defaultPrevented) close();
    else if (save && (ev.ctrlKey || ev.metaKey) && ev.key === 's') {
      ev.preventDefault();
      if (save.enabled()) save.run();
    }
  }
  onMounted(() => document.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => document.removeEventListener('keydown', onKeydown));
}
