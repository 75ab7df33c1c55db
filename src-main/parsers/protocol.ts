// Messages between main and the parser worker (parser-worker.ts). Bytes and decoded pixels are
// copied (structured clone): at most a few MB per job.
import type { ErrorCode } from '../../src-preload/contract';

export type ParserKind = 'document' | 'image';

export type ParseJob =
  | { kind: 'document'; format: 'pdf' | 'docx'; bytes: Uint8Array; fileName: string }
  | { kind: 'image'; bytes: Uint8Array; name: string; maxSide: number; maxPixels: number };

export interface DecodedPixels {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

export type ParseResult = { kind: 'document'; text: string } | { kind: 'image'; pixels: DecodedPixels };

export type ToParser = { type: 'parse'; id: number; job: ParseJob };

export type FromParser =
  | { type: 'ready' }
  | { type: 'startup-failed'; message: string }
  | { type: 'done'; id: number; result: ParseResult }
  | {
      type: 'failed';
      id: number;
      error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
    };
