// The proctoring service main exposes through the contract: one ProctoringSession per running
// exam session, one shared analysis worker (started on first use), one OCR worker for ID checks.
// Warnings leave through the WarningSink given by the composition root (the store persists them).
import { VigilError } from '../errors';
import { decodeImage } from './decode-image';
import { WorkerFaceAnalyzer, type FaceAnalyzer } from './face-analyzer';
import { TesseractIdOcr, type IdOcr } from './id/ocr';
import { verifyId, type IdVerification } from './id/verify-id';
import { resolvePolicy, type PolicyOverrides, type ProctoringPolicy } from './policy';
import { riskScore, type ChainVerdict } from './risk-score';
import { ProctoringSession, type FrameFlowStatus } from './session';
import type { AudioFrame, RiskScore, WarningEvent } from './types';

export interface ProctoringServiceOptions {
  /** Receives every warning event with the session it belongs to. */
  sink: (sessionId: string, event: WarningEvent) => void;
  /** For tests and tools: an analyser to use instead of starting the worker. */
  analyzer?: FaceAnalyzer;
  ocr?: IdOcr;
}

interface Active {
  session: ProctoringSession;
  policy: ProctoringPolicy;
  startedAt: number;
}

export class ProctoringService {
  private analyzer: Promise<FaceAnalyzer> | null;
  private ocr: IdOcr | null;
  private readonly sessions = new Map<string, Active>();

  constructor(private readonly options: ProctoringServiceOptions) {
    this.analyzer = options.analyzer ? Promise.resolve(options.analyzer) : null;
    this.ocr = options.ocr ?? null;
  }

  private getAnalyzer(): Promise<FaceAnalyzer> {
    this.analyzer ??= WorkerFaceAnalyzer.start().catch((error: unknown) => {
      this.analyzer = null;
      throw error;
    });
    return this.analyzer;
  }

  private get(sessionId: string): Active {
    const active = this.sessions.get(sessionId);
    if (!active) {
      throw new VigilError('NOT_FOUND', 'Proctoring has not been started for this session.', { sessionId });
    }
    return active;
  }

  async start(input: {
    sessionId: string;
    examPolicy?: PolicyOverrides;
    accommodation?: string;
    referenceEmbedding?: number[] | null;
  }): Promise<{ recommendedFps: number; policy: ProctoringPolicy }> {
    if (this.sessions.has(input.sessionId)) {
      throw new VigilError('CONFLICT', 'Proctoring is already running for this session.', {
        sessionId: input.sessionId,
      });
    }
    const policy = resolvePolicy(input.examPolicy, input.accommodation);
    const analyzer = await this.getAnalyzer();
    const session = new ProctoringSession({
      policy,
      analyzer,
      referenceEmbedding: input.referenceEmbedding ?? null,
      sink: (event) => this.options.sink(input.sessionId, event),
    });
    this.sessions.set(input.sessionId, { session, policy, startedAt: Date.now() });
    return { recommendedFps: session.recommendedFps, policy };
  }

  /** A JPEG/PNG frame from the renderer; returns the flow status (rate to use, drops). */
  async submitFrame(sessionId: string, image: Uint8Array, timestampMs: number): Promise<FrameFlowStatus> {
    const { session } = this.get(sessionId);
    const frame = await decodeImage(image, { maxSide: 640, timestampMs });
    return session.submitFrame(frame);
  }

  submitAudio(sessionId: string, frames: AudioFrame[]): void {
    const { session } = this.get(sessionId);
    for (const frame of frames) session.submitAudio(frame);
  }

  status(sessionId: string): FrameFlowStatus {
    return this.get(sessionId).session.status();
  }

  /** Verifies the ID card against the live face; on success the live face becomes the reference. */
  async verifyId(input: {
    sessionId?: string;
    card: Uint8Array;
    live: Uint8Array;
    now?: Date;
  }): Promise<IdVerification> {
    const analyzer = await this.getAnalyzer();
    this.ocr ??= new TesseractIdOcr();
    const result = await verifyId({
      card: input.card,
      live: input.live,
      analyzer,
      ocr: this.ocr,
      now: input.now,
    });
    const active = input.sessionId ? this.sessions.get(input.sessionId) : undefined;
    if (active && result.decision === 'verified' && result.liveEmbedding) {
      active.session.setReferenceEmbedding(result.liveEmbedding);
    }
    return result;
  }

  async end(
    sessionId: string,
    chainVerdict: ChainVerdict = 'intact',
  ): Promise<{ risk: RiskScore; status: FrameFlowStatus }> {
    const { session, policy } = this.get(sessionId);
    const warnings = await session.end();
    this.sessions.delete(sessionId);
    return { risk: riskScore(warnings, policy, { chainVerdict }), status: session.status() };
  }

  async close(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.end(id).catch(() => undefined);
    const analyzer = this.analyzer;
    this.analyzer = null;
    if (analyzer) await (await analyzer.catch(() => null))?.close();
    await this.ocr?.close();
    this.ocr = null;
  }
}
