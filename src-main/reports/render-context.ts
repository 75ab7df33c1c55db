// What every section reads while drawing: the validated input, the pictures already shrunk, and
// the list of things missing from the input that the cover must mention.
import type { LoadedImage } from './images';
import type { ReportInput } from './types';

export interface RenderContext {
  input: ReportInput;
  /** Snapshot thumbnails and the ID card, keyed by the path given in the input. */
  images: Map<string, LoadedImage>;
  /** Resolved path for each input path (relative paths resolve against assetsDir). */
  resolve: (file: string) => string;
  dataNotes: string[];
  /** Where the cover's list of missing data ended, so late findings can be added under it. */
  coverNotesEnd?: { page: number; y: number; headed: boolean };
}

export function imageFor(ctx: RenderContext, file: string | null): LoadedImage | null {
  if (!file) return null;
  return ctx.images.get(ctx.resolve(file)) ?? null;
}
