/**
 * FileAccessError (src/main/files) as the API reports it: a refused path is the caller's error
 * ('invalid'), a missing file 'not_found', an I/O failure 'internal'. The message is kept: it
 * names the path and the rule, never the file's contents.
 */
import { ApiError } from '../../shared/api';
import { FileAccessError } from '../files/checked-io';

/** ApiError for `err` when it is a FileAccessError; anything else is returned unchanged. */
export function fileApiError(err: unknown): unknown {
  if (!(err instanceof FileAccessError)) return err;
  const code = err.reason === 'not_found' ? 'not_found' : err.reason === 'io' ? 'internal' : 'invalid';
  return new ApiError(code, err.message);
}
