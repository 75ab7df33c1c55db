// The words Vigil's windows, main and the central store share: exam types, warning types and
// severities. Written out once here (pure: zod only) so the renderer's filters, the contract's
// schemas and main's rules cannot drift apart; everything else derives its types and enums from it.
import { z } from 'zod';

/** General, Skills, Personality, Final. */
export const examTypes = ['GEN', 'SKL', 'PER', 'FIN'] as const;
export type ExamType = (typeof examTypes)[number];
export const ExamTypeSchema = z.enum(examTypes);
/** How the candidate and the interview's prompt name an exam type. */
export const examTypeNames: Record<ExamType, string> = {
  GEN: 'General',
  SKL: 'Industry skills',
  PER: 'Personality and culture fit',
  FIN: 'Final screening',
};
/** The short names of the report and the admin screens. */
export const examTypeShortNames: Record<ExamType, string> = {
  GEN: 'General',
  SKL: 'Skills',
  PER: 'Personality',
  FIN: 'Final',
};

/** Raised by the visual rules from camera frames. */
export const visualWarningTypes = [
  'no_face',
  'multiple_faces',
  'looking_away',
  'face_mismatch',
  'camera_blocked',
] as const;
export type VisualWarningType = (typeof visualWarningTypes)[number];

/** Raised by the audio rules from the renderer's microphone levels. */
export const audioWarningTypes = ['speech_detected', 'mic_lost'] as const;

/** Lockdown violations, fed into the same warning pipeline by the lockdown service. */
export const lockdownViolationTypes = [
  'focus_lost',
  'display_added',
  'blocked_process',
  'vm_detected',
] as const;

/** Every warning type a session can carry (what the review queue filters by). */
export const warningTypes = [
  ...visualWarningTypes,
  ...audioWarningTypes,
  'analysis_interrupted',
  // The app stopped mid-interview (crash, power loss) and the candidate came back: its duration.
  'app_interrupted',
  ...lockdownViolationTypes,
] as const;
export type WarningType = (typeof warningTypes)[number];
export const WarningTypeSchema = z.enum(warningTypes);

/**
 * Raised by the central server only (its checks of the evidence chain, the app build and the policy
 * the device applied); the server refuses a device warning of these types (central 0431).
 */
export const serverWarningTypes = ['evidence_chain', 'unknown_app_build', 'policy_mismatch'] as const;
export type ServerWarningType = (typeof serverWarningTypes)[number];

export const severities = ['low', 'medium', 'high'] as const;
export type Severity = (typeof severities)[number];
export const SeveritySchema = z.enum(severities);
