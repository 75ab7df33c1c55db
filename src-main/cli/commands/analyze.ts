// `vigil analyze FILE... [--json]`: runs the on-device face analysis on images and videos, offline,
// and prints faces (boxes, scores, head pose) and, for videos, the warnings a live session would raise.
import type { Command } from 'commander';
import { analyzeFile, type FileAnalysis } from '../../proctoring/analyze-files';
import { WorkerFaceAnalyzer } from '../../proctoring/face-analyzer';

function formatText(result: FileAnalysis): string {
  const lines: string[] = [];
  if (result.error) return `${result.file}: error: ${result.error}\n`;
  const meta = result.meta;
  if (meta?.kind === 'video') {
    lines.push(
      `${result.file}: video ${meta.width}×${meta.height}, ${meta.frames} frames analysed at ${meta.fps} fps`,
    );
  } else {
    const n = result.faces ?? 0;
    lines.push(`${result.file}: ${n} face${n === 1 ? '' : 's'}`);
    result.detections.forEach((d, i) => {
      lines.push(
        `  #${i + 1} box [${d.box.join(', ')}] score ${d.score.toFixed(2)} yaw ${d.yaw}° pitch ${d.pitch}° roll ${d.roll}°`,
      );
    });
  }
  if (meta?.kind === 'video') {
    if (result.warnings.length === 0) lines.push('  no warnings');
    for (const w of result.warnings) {
      lines.push(
        `  ${w.type.padEnd(20)} ${w.start_s.toFixed(1)}–${w.end_s.toFixed(1)} s  confidence ${w.confidence.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description(
      'Analyse images or videos on this machine (no network): faces with boxes, scores and head pose; for videos, the warnings a live session would raise.',
    )
    .argument('<files...>', 'image (JPEG, PNG, WebP …) or video (any format ffmpeg reads) files')
    .option('--json', 'print one JSON array, one object per file')
    .option('--fps <n>', 'frames per second sampled from videos', '2')
    .action(async (files: string[], opts: { json?: boolean; fps: string }) => {
      const fps = Number(opts.fps);
      if (!(fps > 0 && fps <= 30)) {
        process.stderr.write('vigil analyze: --fps must be a number between 0 and 30\n');
        process.exitCode = 2;
        return;
      }
      const analyzer = await WorkerFaceAnalyzer.start();
      const results: FileAnalysis[] = [];
      try {
        for (const file of files) {
          const result = await analyzeFile(analyzer, file, { fps });
          results.push(result);
          if (!opts.json) process.stdout.write(formatText(result));
        }
      } finally {
        await analyzer.close();
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(results.map(({ meta: _meta, ...rest }) => rest)) + '\n');
      }
      if (results.some((r) => r.error)) process.exitCode = 1;
    });
}
