// The lockdown part of an exam's proctoring policy. Strict by default: an exam that says nothing
// gets the full lockdown. Validated with zod because it arrives from the central store or a file.
import { z } from 'zod';
import { processCategories } from './process-blocklist';

export const clipboardModes = ['allow', 'block', 'isolated'] as const;
export type ClipboardMode = (typeof clipboardModes)[number];

/**
 * What the pre-exam integrity gate does with a check that finds something: `allow` ignores it (the
 * result is still chained as evidence), `warn` lets the exam start and records a warning, `refuse`
 * keeps the exam from starting until the candidate fixes it.
 */
export const gateActions = ['allow', 'warn', 'refuse'] as const;
export type GateAction = (typeof gateActions)[number];

export const lockdownPolicySchema = z
  .object({
    kiosk: z.boolean().default(true),
    fullscreen: z.boolean().default(true),
    alwaysOnTop: z.boolean().default(true),
    contentProtection: z.boolean().default(true),
    preventSleep: z.boolean().default(true),
    clipboard: z.enum(clipboardModes).default('block'),
    maxDisplays: z.number().int().min(1).max(8).default(1),
    blockedCategories: z
      .array(z.enum(processCategories as [string, ...string[]]))
      .default([...processCategories]),
    // Programs never reported by the process scan, beyond the default assistive apps and input
    // methods of assistive-apps.ts (executable names, e.g. "zoom" for a remote sign-language
    // interpreter). The device adds the candidate's accommodation `allowedApps` here before applying
    // it (session/exam-options.ts), and the server composes the same list to check it (central 0525).
    allowedApps: z.array(z.string().min(1).max(100)).max(100).default([]),
    // The integrity gate, one key per check (see gate.ts). Extra displays refuse by default, as the
    // system check always did; the others warn, as the exam-time detectors always did.
    virtualMachine: z.enum(gateActions).default('warn'),
    remoteSession: z.enum(gateActions).default('warn'),
    forbiddenPrograms: z.enum(gateActions).default('warn'),
    extraDisplays: z.enum(gateActions).default('refuse'),
    virtualCamera: z.enum(gateActions).default('warn'),
    /** How often the process scan repeats during the exam, in seconds. */
    processScanIntervalS: z.number().int().min(5).max(600).default(30),
  })
  .strict();

export type LockdownPolicy = z.output<typeof lockdownPolicySchema>;

export function parseLockdownPolicy(input: unknown): LockdownPolicy {
  return lockdownPolicySchema.parse(input ?? {});
}
