// Prices of model requests. Costs are computed in integer nano-dollars (1e-9 USD) so that ledger
// sums are exact; prices are given in USD per million tokens, the unit providers publish.
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  perAudioMinute?: number;
}

export type PricingTable = Record<string, ModelPrice>;

/** List prices of common OpenAI models (USD per 1M tokens); override or extend with `ai.pricing`. */
export const defaultPricing: PricingTable = {
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
  'whisper-1': { inputPerMTok: 0, outputPerMTok: 0, perAudioMinute: 0.006 },
  'gpt-4o-mini-transcribe': { inputPerMTok: 1.25, outputPerMTok: 5, perAudioMinute: 0.003 },
  'gpt-4o-transcribe': { inputPerMTok: 2.5, outputPerMTok: 10, perAudioMinute: 0.006 },
};

export class Pricing {
  private readonly table: PricingTable;
  constructor(overrides: PricingTable = {}, base: PricingTable = defaultPricing) {
    this.table = { ...base, ...overrides };
  }

  /** Exact name first, then the longest listed name the model starts with (dated snapshots). */
  priceOf(model: string): ModelPrice | null {
    const exact = this.table[model];
    if (exact) return exact;
    let best: string | null = null;
    for (const name of Object.keys(this.table))
      if (model.startsWith(name) && (best === null || name.length > best.length)) best = name;
    return best ? (this.table[best] as ModelPrice) : null;
  }

  /** Cost in nano-dollars, or null when the model has no price. */
  costNanoUsd(
    model: string,
    usage: { promptTokens: number; completionTokens: number; audioSeconds?: number | null },
  ): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    const perToken = (usdPerMTok: number) => Math.round(usdPerMTok * 1000);
    let cost =
      usage.promptTokens * perToken(price.inputPerMTok) +
      usage.completionTokens * perToken(price.outputPerMTok);
    if (usage.audioSeconds && price.perAudioMinute)
      cost += Math.round((usage.audioSeconds * price.perAudioMinute * 1e9) / 60);
    return cost;
  }
}

export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}
