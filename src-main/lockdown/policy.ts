// The lockdown part of an exam's proctoring policy. Strict by default: an exam that says nothing
// gets the full lockdown. Validated with zod because it arrives from the central store or a file.
import { z } from 'zod';
import { processCategories } from './process-blocklist';

export const clipboardModes = ['allow', 'block', 'isolated'] as const;
export type ClipboardMode = (typeof clipboardModes)[number];

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
    /** Whether a detected virtual machine or remote session only warns or also refuses the exam. */
    virtualMachine: z.enum(['warn', 'refuse']).default('warn'),
    /** How often the process scan repeats during the exam, in seconds. */
    processScanIntervalS: z.number().int().min(5).max(600).default(30),
  })
  .strict();

export type LockdownPolicy = z.output<typeof lockdownPolicySchema>;

export function parseLockdownPolicy(input: unknown): LockdownPolicy {
  return lockdownPolicySchema.parse(input ?? {});
}
