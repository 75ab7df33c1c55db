// `vigil evaluate --session ID`: evaluates a recorded session now (the same persisted job the app
// runs after a session), with the configured model or, without a key, the local heuristic evaluator.
import type { Command } from 'commander';
import { withAiContext } from '../../evaluation/cli-context';
import { evaluateNow } from '../../session/after-session-jobs';

interface EvaluateOptions {
  session: string;
  local?: boolean;
  json?: boolean;
}

export async function runEvaluate(opts: EvaluateOptions, out: (text: string) => void): Promise<void> {
  await withAiContext({ local: opts.local }, async ({ store, services }) => {
    const evaluation = await evaluateNow({ store, evaluator: services.evaluator, sessionId: opts.session });
    if (opts.json) {
      out(JSON.stringify(evaluation) + '\n');
      return;
    }
    out(`${evaluation.label}\n`);
    out(
      `Session ${evaluation.sessionId}: overall ${evaluation.overall}/100 — professionalism ${evaluation.professionalism}, ` +
        `subject knowledge ${evaluation.subject_knowledge}, clarity ${evaluation.clarity} (${evaluation.evaluator}: ${evaluation.model})\n`,
    );
    evaluation.question_responses.forEach((q, i) =>
      out(`${i + 1}. ${q.score}/10 ${q.question}\n   ${q.feedback}\n`),
    );
    if (evaluation.traits.length) out(`Traits: ${evaluation.traits.join('; ')}\n`);
    for (const s of evaluation.suggestions) out(`Suggestion: ${s}\n`);
    out(`${evaluation.feedback}\n`);
  });
}

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('Evaluate a recorded session now (AI with a key, local heuristic without).')
    .requiredOption('--session <id>', 'session id')
    .option('--local', 'use the local evaluator even when an AI key is configured')
    .option('--json', 'print the evaluation as one JSON object')
    .action((opts: EvaluateOptions) => runEvaluate(opts, (t) => process.stdout.write(t)));
}
