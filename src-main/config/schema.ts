// The configuration schema: every key Vigil reads, with its type and default. One leaf per key so
// that each layer (IT policy, user settings, environment) is validated key by key and errors can
// name the exact key. Generated docs and the policy's JSON Schema come from here.
import { z } from 'zod';
import { DEFAULT_RETENTION_CRON } from '../worker/retention-purge';

export const configSchema = z.object({
  central: z.object({
    /** postgres:// URL of the central server; unset means the embedded PGlite store. */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /** libpq's sslmode; `sslmode=` in the URL and --ssl-mode win over it (src-main/central/connect.ts). */
    sslMode: z
      .enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'])
      .default('verify-full'),
    caFile: z.string().optional(),
  }),
  data: z.object({
    /** Folder for the local database, recordings, logs and settings; OS default when unset. */
    dir: z.string().min(1).optional(),
  }),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    maxFileMb: z.number().int().min(1).max(1024).default(10),
    maxFiles: z.number().int().min(1).max(100).default(5),
  }),
  proctoring: z.object({
    frameRate: z.number().min(0.2).max(10).default(2),
  }),
  ai: z.object({
    baseUrl: z.url().optional(),
    model: z.string().min(1).default('gpt-4o-mini'),
    apiKey: z.string().min(1).optional(),
    /** Time allowed for one request to the AI provider before it is retried. */
    timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    /** Model for spoken-answer transcription (e.g. whisper-1); unset means answers are not transcribed. */
    transcriptionModel: z.string().min(1).optional(),
    /** Price overrides in USD per million tokens (and per audio minute), merged over the built-in table. */
    pricing: z
      .record(
        z.string().min(1),
        z.object({
          inputPerMTok: z.number().min(0),
          outputPerMTok: z.number().min(0),
          perAudioMinute: z.number().min(0).optional(),
        }),
      )
      .default({}),
  }),
  media: z.object({
    ffmpegPath: z.string().optional(),
    ffprobePath: z.string().optional(),
    /** Free space always kept on the recordings disk: recording stops cleanly before going below it. */
    reserveMb: z.number().int().min(16).max(100_000).default(256),
  }),
  report: z.object({
    pageSize: z.enum(['A4', 'Letter']).default('A4'),
  }),
  update: z.object({
    /** False pins the installed version: IT deploys updates itself (SCCM, Intune, Jamf, apt). */
    enabled: z.boolean().default(true),
    /** Overrides the update server built into the installer (an https:// folder with latest*.yml). */
    url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
    /** Release channel: `latest`, or e.g. `beta` to stage a release on a few machines first. */
    channel: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase channel name such as latest or beta')
      .default('latest'),
    /**
     * Hours between background update checks after the one at start. Checks, downloads and the
     * restart offer never happen during an exam: they wait for its end.
     */
    checkIntervalHours: z.number().int().min(1).max(168).default(4),
  }),
  worker: z.object({
    /**
     * Cron (five fields, UTC) of the central worker's retention purge and device-credential expiry,
     * or 'off'. One schedule for the deployment: the last `vigil worker` started sets it.
     */
    retentionCron: z
      .string()
      .regex(/^(off|\S+(\s+\S+){4})$/, "must be a five-field cron expression (UTC) or 'off'")
      .default(DEFAULT_RETENTION_CRON),
  }),
  security: z.object({
    /** When true, an unsigned or altered IT policy file is refused. */
    requireSignedPolicy: z.boolean().default(false),
    /**
     * Read only from the IT policy in the OS-protected location: when true, VIGIL_POLICY_FILE (or a
     * ProgramData variable) may point the app at another policy file, e.g. on a test lab machine.
     * Elsewhere only development builds honour those overrides (config/policy-location.ts).
     */
    allowPolicyOverride: z.boolean().default(false),
    /**
     * When true, the device token is only ever kept sealed by the OS keychain: where none is
     * available, enrollment is refused instead of keeping the token in a 0600 file.
     */
    requireKeychain: z.boolean().default(false),
  }),
});

export type VigilConfig = z.output<typeof configSchema>;

/** Keys whose values are secrets: never logged, never returned to the renderer. */
export const secretKeys = new Set(['ai.apiKey', 'central.url']);

export interface LeafSpec {
  key: string;
  schema: z.ZodType;
  envVar: string;
}

function envVarFor(key: string): string {
  return (
    'VIGIL_' +
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/\./g, '_')
      .toUpperCase()
  );
}

function collectLeaves(shape: Record<string, z.ZodType>, prefix: string, out: LeafSpec[]): LeafSpec[] {
  for (const [name, schema] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (schema instanceof z.ZodObject) collectLeaves(schema.shape, key, out);
    else out.push({ key, schema, envVar: envVarFor(key) });
  }
  return out;
}

export const configLeaves: readonly LeafSpec[] = collectLeaves(configSchema.shape, '', []);
export const leafByKey = new Map(configLeaves.map((leaf) => [leaf.key, leaf]));
