// Which AI provider to use, from Vigil's config keys (ai.baseUrl / ai.model / ai.apiKey) with the
// SDK's standard environment variables (OPENAI_API_KEY / OPENAI_BASE_URL) as fallbacks. No key
// means no provider: the local evaluator and generator answer instead.
import type { VigilConfig } from '../config/schema';
import { Pricing } from './pricing';

export interface AiSettings {
  apiKey: string;
  /** Undefined means the SDK's default (api.openai.com). */
  baseURL: string | undefined;
  model: string;
  transcriptionModel: string | undefined;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_AI_TIMEOUT_MS = 60_000;

export function resolveAiSettings(
  ai: VigilConfig['ai'],
  env: NodeJS.ProcessEnv = process.env,
): AiSettings | null {
  const apiKey = ai.apiKey ?? (env.OPENAI_API_KEY || undefined);
  if (!apiKey) return null;
  return {
    apiKey,
    baseURL: ai.baseUrl ?? (env.OPENAI_BASE_URL || undefined),
    model: ai.model,
    transcriptionModel: ai.transcriptionModel,
    timeoutMs: ai.timeoutMs ?? DEFAULT_AI_TIMEOUT_MS,
  };
}

export function pricingFromConfig(ai: VigilConfig['ai']): Pricing {
  return new Pricing(ai.pricing);
}
