// Structured logs (pino) written to rotating files in the app's data folder (pino-roll, in process so
// it also works inside a packaged app). Every line passes through redaction first.
import path from 'node:path';
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import roll from 'pino-roll';
import { redactText, redactValue } from './redact';

export type Logger = PinoLogger;

export interface LoggerOptions {
  dir: string;
  level: string;
  maxFileMb: number;
  maxFiles: number;
}

export function buildLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'vigil' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

export async function createFileLogger(
  options: LoggerOptions,
): Promise<{ logger: Logger; close(): Promise<void> }> {
  const stream = await roll({
    file: path.join(options.dir, 'vigil'),
    extension: '.log',
    size: `${options.maxFileMb}m`,
    limit: { count: options.maxFiles },
    mkdir: true,
    // Synchronous writes: the lines before a crash are exactly the ones worth keeping, and the
    // volume is small. It also makes size-based rotation happen between bursts, not after them.
    sync: true,
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', reject);
  });
  const logger = buildLogger(options.level, stream);
  return {
    logger,
    close: async () => {
      await new Promise<void>((resolve) => stream.flush(() => resolve()));
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });
    },
  };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
