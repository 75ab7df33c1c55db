// OCR of ID cards with tesseract.js and the English LSTM data shipped in @tesseract.js-data/eng
// (read from disk; nothing is downloaded). One tesseract worker is created lazily and reused.
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';

const require = createRequire(import.meta.url);

export interface OcrResult {
  text: string;
  /** Mean word confidence, 0–100. */
  confidence: number;
}

export interface IdOcr {
  /** The whole card: printed fields. */
  recognize(image: Uint8Array): Promise<OcrResult>;
  /** The band of the card below `topFraction` of its height, read with the MRZ alphabet only. */
  recognizeMrzBand(image: Uint8Array, topFraction: number): Promise<OcrResult>;
  close(): Promise<void>;
}

export function shippedEnglishData(): string {
  return path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

/** Greyscale, upscaled to ~1600 px wide and contrast-stretched: what tesseract reads best. */
async function prepare(image: Uint8Array, bandTop?: number): Promise<Buffer> {
  let pipeline = sharp(image).rotate();
  if (bandTop !== undefined) {
    const meta = await sharp(image).rotate().metadata();
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    const top = Math.floor(height * bandTop);
    pipeline = sharp(await pipeline.extract({ left: 0, top, width, height: height - top }).toBuffer());
  }
  return pipeline.resize({ width: 1600, withoutEnlargement: false }).greyscale().normalise().png().toBuffer();
}

export class TesseractIdOcr implements IdOcr {
  private worker: Promise<Worker> | null = null;

  private start(): Promise<Worker> {
    this.worker ??= (async () => {
      const worker = await createWorker('eng', OEM.LSTM_ONLY, {
        langPath: shippedEnglishData(),
        gzip: true,
        // Never write or read a cache file next to the process, and never fetch.
        cacheMethod: 'none',
      });
      return worker;
    })();
    return this.worker;
  }

  async recognize(image: Uint8Array): Promise<OcrResult> {
    const worker = await this.start();
    await worker.setParameters({
      tessedit_pageseg_mode: PSM.AUTO,
      tessedit_char_whitelist: '',
      preserve_interword_spaces: '1',
      user_defined_dpi: '300',
    });
    const { data } = await worker.recognize(await prepare(image));
    return { text: data.text, confidence: Math.round(data.confidence * 10) / 10 };
  }

  async recognizeMrzBand(image: Uint8Array, topFraction: number): Promise<OcrResult> {
    const worker = await this.start();
    await worker.setParameters({
      tessedit_pageseg_mode: PSM.SINGLE_BLOCK,
      tessedit_char_whitelist: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<',
      user_defined_dpi: '300',
    });
    const { data } = await worker.recognize(await prepare(image, topFraction));
    return { text: data.text, confidence: Math.round(data.confidence * 10) / 10 };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await (await worker).terminate();
  }
}
