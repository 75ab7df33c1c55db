// Vigil's path to an OpenAI-compatible provider: one chat completion with json_schema output,
// validated by zod, with bounded retries on invalid output, per-request timeouts, backoff that
// honours Retry-After on 429, retries on 5xx and network errors, and one token_usage row per
// HTTP request (failed ones included, with zero tokens) so the ledger accounts for every call.
// The SDK's own retries are off: this loop owns them, so every attempt is visible and recorded.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, toFile } from 'openai';
import { z } from 'zod';
import { VigilError } from '../errors';
import type { AiSettings } from './ai-settings';
import type { UsageRecorder } from './token-ledger';
import type { RequestType, UsageContext, UsageStatus } from './types';

export interface RetryPolicy {
  /** HTTP/transport attempts (429, 5xx, timeouts, connection errors) before giving up. */
  maxTransportAttempts: number;
  /** Responses whose content fails the schema, before giving up. */
  maxInvalidOutputs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is not waited for here: the call fails and the job retries later. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxTransportAttempts: 4,
  maxInvalidOutputs: 3,
  baseBackoffMs: 500,
  maxBackoffMs: 20_000,
  maxRetryAfterMs: 60_000,
};

export interface StructuredChatOptions {
  settings: AiSettings;
  /** Where each request's usage row goes: the device's TokenLedger, or central token_usage in the worker. */
  ledger: UsageRecorder;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export interface StructuredResult<T> {
  value: T;
  /** Model name the provider reported. */
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as seconds or HTTP date, or retry-after-ms; null if absent or unreadable. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const schemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** A JSON Schema the API accepts in strict mode (no $schema key); cached, as conversion costs ~1 ms. */
export function jsonSchemaFor(schema: z.ZodType): Record<string, unknown> {
  const cached = schemaCache.get(schema);
  if (cached) return cached;
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'output',
  }) as Record<string, unknown>;
  schemaCache.set(schema, rest);
  return rest;
}

export class StructuredChat {
  readonly client: OpenAI;
  readonly settings: AiSettings;
  private readonly ledger: UsageRecorder;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: StructuredChatOptions) {
    this.settings = options.settings;
    this.ledger = options.ledger;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.client = new OpenAI({
      apiKey: options.settings.apiKey,
      baseURL: options.settings.baseURL ?? null,
      maxRetries: 0,
      timeout: options.settings.timeoutMs,
    });
  }

  private backoff(failures: number): number {
    const ceiling = Math.min(this.retry.maxBackoffMs, this.retry.baseBackoffMs * 2 ** (failures - 1));
    return Math.round(ceiling * (0.5 + 0.5 * this.random()));
  }

  private recordFailure(
    requestType: RequestType,
    model: string,
    context: UsageContext,
    attempt: number,
    status: UsageStatus,
    httpStatus: number | null,
  ): void {
    this.ledger.record({
      ...context,
      model,
      requestType,
      status,
      promptTokens: 0,
      completionTokens: 0,
      httpStatus,
      attempt,
    });
  }

  /**
   * Handles a failed HTTP attempt: records it, then returns how long to wait before the next one,
   * or throws a VigilError when the failure is final.
   */
  private failedAttempt(
    error: unknown,
    requestType: RequestType,
    model: string,
    context: UsageContext,
    attempt: number,
    transportFailures: number,
  ): number {
    const where = this.settings.baseURL ?? 'the OpenAI API';
    if (error instanceof APIConnectionTimeoutError) {
      this.recordFailure(requestType, model, context, attempt, 'timeout', null);
    } else if (error instanceof APIConnectionError) {
      this.recordFailure(requestType, model, context, attempt, 'network_error', null);
    } else if (error instanceof APIError && typeof error.status === 'number') {
      this.recordFailure(requestType, model, context, attempt, 'http_error', error.status);
      const retryable =
        error.status === 429 || error.status === 408 || error.status === 409 || error.status >= 500;
      if (!retryable) {
        const auth = error.status === 401 || error.status === 403;
        throw new VigilError(
          auth ? 'CONFIG_INVALID' : 'UNAVAILABLE',
          auth
            ? `The AI provider at ${where} refused the API key: check ai.apiKey (or OPENAI_API_KEY).`
            : `The AI provider at ${where} rejected the request (HTTP ${error.status}): ${error.message}`,
          { httpStatus: error.status, retryable: false, requestType },
          { cause: error },
        );
      }
      if (error.status === 429) {
        const wait = retryAfterMs(error.headers as Headers | undefined);
        if (wait !== null) {
          if (wait > this.retry.maxRetryAfterMs)
            throw new VigilError(
              'UNAVAILABLE',
              `The AI provider at ${where} is rate limiting requests; it asked to wait ${Math.ceil(wait / 1000)} s.`,
              { httpStatus: 429, retryable: true, retryAfterMs: wait, requestType },
              { cause: error },
            );
          if (transportFailures >= this.retry.maxTransportAttempts)
            this.giveUp(where, requestType, error, 429);
          return wait;
        }
      }
    } else {
      throw error;
    }
    if (transportFailures >= this.retry.maxTransportAttempts)
      this.giveUp(
        where,
        requestType,
        error,
        error instanceof APIError ? ((error.status as number | undefined) ?? null) : null,
      );
    return this.backoff(transportFailures);
  }

  private giveUp(where: string, requestType: RequestType, error: unknown, httpStatus: number | null): never {
    throw new VigilError(
      'UNAVAILABLE',
      `The AI provider at ${where} did not answer after ${this.retry.maxTransportAttempts} attempts (${(error as Error).message}). The request will be retried later.`,
      { retryable: true, httpStatus, requestType, attempts: this.retry.maxTransportAttempts },
      { cause: error },
    );
  }

  async complete<T>(request: {
    requestType: RequestType;
    context: UsageContext;
    messages: ChatMessage[];
    schemaName: string;
    schema: z.ZodType<T>;
    /** Extra checks the JSON Schema cannot express (e.g. one score per question). */
    validate?: (value: T) => string | null;
    temperature?: number;
  }): Promise<StructuredResult<T>> {
    const model = this.settings.model;
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: { name: request.schemaName, strict: true, schema: jsonSchemaFor(request.schema) },
    };
    const messages: ChatMessage[] = [...request.messages];
    let attempt = 0;
    let transportFailures = 0;
    let invalidOutputs = 0;
    let promptTokens = 0;
    let completionTokens = 0;
    for (;;) {
      attempt++;
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await this.client.chat.completions.create({
          model,
          messages,
          response_format: responseFormat,
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        });
      } catch (error) {
        if (error instanceof SyntaxError) {
          // The provider answered 200 with a body that is not JSON: count it as invalid output.
          this.recordFailure(request.requestType, model, request.context, attempt, 'invalid_output', 200);
          invalidOutputs++;
          if (invalidOutputs >= this.retry.maxInvalidOutputs)
            this.invalid(request.requestType, invalidOutputs, error.message);
          continue;
        }
        transportFailures++;
        const wait = this.failedAttempt(
          error,
          request.requestType,
          model,
          request.context,
          attempt,
          transportFailures,
        );
        await this.sleep(wait);
        continue;
      }
      const usage = completion.usage;
      const reportedModel = completion.model || model;
      const content = completion.choices[0]?.message?.content ?? '';
      const problem = this.check(content, request.schema, request.validate);
      this.ledger.record({
        ...request.context,
        model: reportedModel,
        requestType: request.requestType,
        status: problem.ok ? 'ok' : 'invalid_output',
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        totalTokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
        httpStatus: 200,
        attempt,
      });
      promptTokens += usage?.prompt_tokens ?? 0;
      completionTokens += usage?.completion_tokens ?? 0;
      if (problem.ok)
        return {
          value: problem.value,
          model: reportedModel,
          requests: attempt,
          promptTokens,
          completionTokens,
        };
      invalidOutputs++;
      if (invalidOutputs >= this.retry.maxInvalidOutputs)
        this.invalid(request.requestType, invalidOutputs, problem.error);
      // Tell the model what was wrong; providers fix most schema slips on the second try.
      messages.push(
        { role: 'assistant', content: content.slice(0, 4000) },
        {
          role: 'user',
          content: `That reply was not valid (${problem.error}). Reply again with only a JSON object matching the schema.`,
        },
      );
    }
  }

  private check<T>(
    content: string,
    schema: z.ZodType<T>,
    validate?: (value: T) => string | null,
  ): { ok: true; value: T } | { ok: false; error: string } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return { ok: false, error: 'the content is not JSON' };
    }
    const result = schema.safeParse(parsed);
    if (!result.success)
      return {
        ok: false,
        error: result.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; '),
      };
    const extra = validate?.(result.data) ?? null;
    return extra ? { ok: false, error: extra } : { ok: true, value: result.data };
  }

  private invalid(requestType: RequestType, count: number, problem: string): never {
    throw new VigilError(
      'UNAVAILABLE',
      `The AI model returned output that does not match the expected format ${count} times (${problem}). The request will be retried later.`,
      { retryable: true, invalidOutputs: count, requestType },
    );
  }

  /** Transcribes one spoken answer; records one usage row per attempt. */
  async transcribe(request: {
    audio: Buffer;
    fileName: string;
    mimeType: string;
    context: UsageContext;
    audioSeconds?: number | null;
  }): Promise<string> {
    const model = this.settings.transcriptionModel;
    if (!model)
      throw new VigilError('NOT_READY', 'Transcription is not configured: set ai.transcriptionModel.', {
        key: 'ai.transcriptionModel',
      });
    let attempt = 0;
    let failures = 0;
    for (;;) {
      attempt++;
      try {
        const file = await toFile(request.audio, request.fileName, { type: request.mimeType });
        const result = await this.client.audio.transcriptions.create({ model, file });
        const usage = (
          result as {
            usage?: { type?: string; input_tokens?: number; output_tokens?: number; seconds?: number };
          }
        ).usage;
        this.ledger.record({
          ...request.context,
          model,
          requestType: 'transcription',
          status: 'ok',
          promptTokens: usage?.input_tokens ?? 0,
          completionTokens: usage?.output_tokens ?? 0,
          audioSeconds: usage?.seconds ?? request.audioSeconds ?? null,
          httpStatus: 200,
          attempt,
        });
        return result.text;
      } catch (error) {
        if (error instanceof SyntaxError) {
          this.recordFailure('transcription', model, request.context, attempt, 'invalid_output', 200);
          throw new VigilError('UNAVAILABLE', 'The transcription endpoint returned an unreadable response.', {
            retryable: true,
          });
        }
        failures++;
        const wait = this.failedAttempt(error, 'transcription', model, request.context, attempt, failures);
        await this.sleep(wait);
      }
    }
  }
}
