/**
 * Saving text as a file from the page. Browser mode has no native save dialog (and the host API
 * writes only under the data dir), so the text becomes a Blob URL on a temporary `<a download>`:
 * the browser (or Electron's download handler) asks where to save it. Browser-safe code only.
 */

/**
 * Offer `text` as a download named `fileName`.
 * @param mimeType the media type, e.g. application/xml (UTF-8 is added)
 */
export function downloadText(text: string, fileName: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // The click starts the download asynchronously: revoking in the same task can cancel it.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
