/**
 * The library's own dialogs and selection (New VM, Clone, the duplicate-import banner, the domain
 * Ctrl+E edits). Kept apart from the ui store, which holds the desktop's windows and panels.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

/** An import refused because its domain name is taken: the file, kept so either way out can finish it. */
export interface ImportConflict {
  fileName: string;
  text: string;
  /** The host's message (names the domain). */
  message: string;
  /** The taken name, when the message names it. */
  name: string | null;
}

export const useLibraryUiStore = defineStore('libraryUi', () => {
  /** File ▸ New VM… (Ctrl+N) is open. */
  const newVmOpen = ref(false);
  /** The domain whose Clone… dialog is open. */
  const cloneOf = ref<string | null>(null);
  const importConflict = ref<ImportConflict | null>(null);
  /** The library row last clicked or focused: what Ctrl+E edits. */
  const selected = ref<string | null>(null);
  return { newVmOpen, cloneOf, importConflict, selected };
});
