// Shapes of the `vigil doctor` report, shared by the CLI, the About screen (contract call runDoctor)
// and the tests.
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: what was found, or what is wrong and what to do. */
  summary: string;
  /** Structured facts (versions, files and hashes, TLS details, per-key sources). */
  details?: Record<string, unknown>;
}

export interface DoctorReport {
  ok: boolean;
  generatedAt: string;
  checks: DoctorCheck[];
  /** Non-zero when something needs attention (any check failed). */
  exitCode: number;
}

/** Pending uploads, provided by the sync service once it exists (the lead wires it). */
export interface PendingSyncSource {
  pendingSync(): Promise<{ outboxItems: number; blobBytes: number; oldestQueuedAt?: string | null }>;
}
