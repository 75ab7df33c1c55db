// The typed error of an unusable upload. Too big is PAYLOAD_TOO_LARGE when the file's own size is
// over the limit; everything else (encrypted, corrupt, empty, unsupported, a zip bomb, a file whose
// parsing ran out of time or memory) is INVALID_DOCUMENT, with `details.problem` saying which.
import { VigilError } from '../errors';

export type DocumentProblem =
  | 'too_large'
  | 'encrypted'
  | 'corrupt'
  | 'empty'
  | 'unsupported_type'
  | 'unpacks_too_large'
  | 'too_many_pixels'
  | 'timeout'
  | 'out_of_memory';

export function documentProblem(
  kind: DocumentProblem,
  fileName: string,
  message: string,
  extra: Record<string, unknown> = {},
): VigilError {
  return new VigilError(kind === 'too_large' ? 'PAYLOAD_TOO_LARGE' : 'INVALID_DOCUMENT', message, {
    problem: kind,
    fileName,
    ...extra,
  });
}
