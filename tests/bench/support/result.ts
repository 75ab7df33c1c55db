// Every benchmark writes one JSON file under bench-results/ with its figures, the machine it ran on
// and, where the issue names a peer or a physical limit, the ratio measured in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchResult {
  name: string;
  /** What was measured, in units named by each key (e.g. eventsPerSecond, p99Ms). */
  figures: Record<string, number | string | boolean | null>;
  /** Goals from the issue, with whether they were met. */
  goals?: Record<string, { target: string; met: boolean }>;
  notes?: string;
}

export function writeBenchResult(result: BenchResult): string {
  const dir = path.resolve('bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  fs.writeFileSync(
    file,
    JSON.stringify({ ...result, machine, measuredAt: new Date().toISOString() }, null, 2) + '\n',
  );
  process.stdout.write(`${result.name}: ${JSON.stringify(result.figures)}\n`);
  return file;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
