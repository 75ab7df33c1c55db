// A DOCX is a zip. Before any of it is inflated, its central directory (the table at the end that
// declares every entry's compressed and uncompressed size) is read and a zip bomb refused: too many
// entries, too many bytes once unpacked, or an entry that claims to inflate far beyond what text
// and XML ever do. A directory that lies about sizes is left to the parser worker's memory limit.
import { documentProblem } from './document-problem';

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxUnpackedBytes: number;
  /** Declared uncompressed ÷ compressed size of one entry (checked for entries over 1 MB unpacked). */
  maxRatio: number;
}

// Word's XML compresses 5–20×; a résumé with photos unpacks to a few MB.
export const DOCX_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000,
  maxUnpackedBytes: 100 * 2 ** 20,
  maxRatio: 100,
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

export function checkZipDirectory(bytes: Uint8Array, fileName: string, limits = DOCX_ZIP_LIMITS): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string) =>
    documentProblem(
      'corrupt',
      fileName,
      `${fileName} could not be read as a Word document (${why}). Save it again as .docx or paste the text instead.`,
    );
  const bomb = (why: string, extra: Record<string, unknown>) =>
    documentProblem(
      'unpacks_too_large',
      fileName,
      `${fileName} is not a normal Word document: ${why}. Save it again as .docx from your word processor, or paste the text instead.`,
      extra,
    );
  // The end-of-central-directory record: 22 bytes plus a comment of at most 64 KB, at the very end.
  let eocd = -1;
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('its zip directory is missing');
  const entries = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  // Zip64 (over 65 535 entries or 4 GB): no document needs it.
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff)
    throw bomb('it is a Zip64 archive, meant for gigabytes of data', { zip64: true });
  if (entries > limits.maxEntries)
    throw bomb(`it holds ${entries} files (the limit is ${limits.maxEntries})`, {
      entries,
      limitEntries: limits.maxEntries,
    });
  if (directoryOffset + directorySize > eocd) throw corrupt('its zip directory is damaged');
  let offset = directoryOffset;
  let unpacked = 0;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > eocd || view.getUint32(offset, true) !== CENTRAL)
      throw corrupt('its zip directory is damaged');
    const compressed = view.getUint32(offset + 20, true);
    const uncompressed = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    if (compressed === 0xffffffff || uncompressed === 0xffffffff)
      throw bomb('it is a Zip64 archive, meant for gigabytes of data', { zip64: true, entry: name });
    unpacked += uncompressed;
    if (unpacked > limits.maxUnpackedBytes)
      throw bomb(
        `it unpacks to more than ${Math.round(limits.maxUnpackedBytes / 2 ** 20)} MB (a zip bomb?)`,
        { entry: name, unpackedBytes: unpacked, limitBytes: limits.maxUnpackedBytes },
      );
    if (uncompressed > 2 ** 20 && uncompressed > compressed * limits.maxRatio)
      throw bomb(`${name} inflates ${Math.round(uncompressed / Math.max(compressed, 1))}× (a zip bomb?)`, {
        entry: name,
        compressedBytes: compressed,
        uncompressedBytes: uncompressed,
        limitRatio: limits.maxRatio,
      });
    offset += 46 + nameLength + extraLength + commentLength;
  }
}
