// Entry point of the parser worker_thread (started by UntrustedParser, parser-pool.ts). Hostile
// uploads are parsed here, under the worker's heap limits, so one that never finishes or eats all
// memory costs main nothing: main terminates the worker and answers INVALID_DOCUMENT.
import { parentPort, workerData } from 'node:worker_threads';
import { isVigilError } from '../errors';
import type { FromParser, ParseJob, ParseResult, ParserKind, ToParser } from './protocol';

const port = parentPort;
if (!port) throw new Error('parser-worker must run in a worker_thread');
const kind = (workerData as { kind: ParserKind }).kind;

function send(message: FromParser): void {
  port!.postMessage(message);
}

// Only the parsers of this worker's kind are loaded (sharp is not loaded where documents are read).
type Parsers = {
  parse(job: ParseJob): Promise<ParseResult>;
};
async function load(): Promise<Parsers> {
  if (kind === 'document') {
    const { pdfText, docxText } = await import('./document-parsers');
    return {
      parse: async (job) => {
        if (job.kind !== 'document') throw new Error('not a document job');
        const text =
          job.format === 'pdf'
            ? await pdfText(job.bytes, job.fileName)
            : await docxText(job.bytes, job.fileName);
        return { kind: 'document', text };
      },
    };
  }
  const { decodePixels } = await import('./image-parsers');
  return {
    parse: async (job) => {
      if (job.kind !== 'image') throw new Error('not an image job');
      return { kind: 'image', pixels: await decodePixels(job.bytes, job) };
    },
  };
}

try {
  const parsers = await load();
  port.on('message', (message: ToParser) => {
    void parsers.parse(message.job).then(
      (result) => send({ type: 'done', id: message.id, result }),
      (error: unknown) =>
        send({
          type: 'failed',
          id: message.id,
          error: isVigilError(error)
            ? {
                code: error.code,
                message: error.message,
                ...(error.details ? { details: error.details } : {}),
              }
            : { code: 'INVALID_DOCUMENT', message: (error as Error).message },
        }),
    );
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'startup-failed', message: (error as Error).message });
}
