import type { Command } from 'commander';
import { bootApp } from '../../app/boot';
import { defaultRendererDir } from '../../host/renderer-dir';
import { startHost } from '../../host/server';

export function registerHostCommand(program: Command): void {
  program
    .command('host')
    .description(
      'Serve the Vigil renderer and its contract on 127.0.0.1 for a browser (prints the URL to open).',
    )
    .option('--port <port>', 'port to listen on (default: a random free port)', (v) => Number.parseInt(v, 10))
    .option('--renderer <dir>', 'folder of the built renderer', defaultRendererDir())
    .action(async (opts: { port?: number; renderer: string }) => {
      const booted = await bootApp('host');
      const host = await startHost({
        app: booted.app,
        rendererDir: opts.renderer,
        logger: booted.app.context.logger,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
      });
      process.stdout.write(`Vigil host ready. Open this URL in a browser on this machine:\n${host.url}\n`);
      for (const issue of booted.app.context.loaded.issues) {
        process.stdout.write(`configuration problem: ${issue.source}: "${issue.key}" ${issue.problem}\n`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await host.close();
      await booted.close();
    });
}
