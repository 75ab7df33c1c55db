// Builds the AI-facing services from configuration: with a key, the OpenAI-compatible evaluator and
// question generator; without one, the local ones. Shared by the CLI and the composition root.
import type { LoadedConfig } from '../config/load';
import type { Transcriber } from '../interview/session-flow';
import type { Tx } from '../store/local-store';
import {
  AiQuestionGenerator,
  LocalQuestionGenerator,
  type QuestionGenerator,
} from '../interview/question-generator';
import { pricingFromConfig, resolveAiSettings, type AiSettings } from './ai-settings';
import { LocalEvaluator } from './local-evaluator';
import { OpenAIEvaluator } from './openai-evaluator';
import { StructuredChat, type RetryPolicy } from './structured-chat';
import { TokenLedger } from './token-ledger';
import type { Evaluator } from './types';

export interface AiServices {
  settings: AiSettings | null;
  ledger: TokenLedger;
  chat: StructuredChat | null;
  evaluator: Evaluator;
  generator: QuestionGenerator;
  transcriber: Transcriber | null;
}

export function createAiServices(options: {
  config: LoadedConfig['config'];
  /** The local store the token ledger writes to. */
  store: Tx;
  env?: NodeJS.ProcessEnv;
  /** Force the local evaluator and generator even when a key is configured. */
  local?: boolean;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
}): AiServices {
  const ledger = new TokenLedger(options.store, pricingFromConfig(options.config.ai));
  try {
    ledger.queueBacklog();
  } catch {
    // Best effort (e.g. another connection holds the write lock): the rows wait for the next start.
  }
  const settings = options.local ? null : resolveAiSettings(options.config.ai, options.env);
  const chat = settings
    ? new StructuredChat({
        settings,
        ledger,
        retry: options.retry,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      })
    : null;
  return {
    settings,
    ledger,
    chat,
    evaluator: chat ? new OpenAIEvaluator(chat) : new LocalEvaluator(),
    generator: chat ? new AiQuestionGenerator(chat) : new LocalQuestionGenerator(),
    transcriber: chat && settings?.transcriptionModel ? chat : null,
  };
}
