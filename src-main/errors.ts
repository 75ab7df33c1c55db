// Typed errors shared by every service. A handler throws VigilError; transports turn it into a
// ContractError result the renderer can show, with the facts the user needs in `details`.
import type { ContractError, ErrorCode } from '../src-preload/contract';

export class VigilError extends Error {
  override readonly name = 'VigilError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toContractError(): ContractError {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isVigilError(error: unknown): error is VigilError {
  return error instanceof VigilError;
}
