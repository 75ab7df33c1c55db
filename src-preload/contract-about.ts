// Contract calls of the About screen (issue 20): the settings with what IT manages, changing one,
// and the support archive. Spread into `calls` in contract.ts; pure zod, like the contract itself.
import { z } from 'zod';

function call<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  request: Req;
  response: Res;
  description: string;
}) {
  return spec;
}

const SettingValueSchema = z.union([z.string().max(4096), z.number(), z.boolean()]).nullable();

export const SettingViewSchema = z.object({
  key: z.string(),
  label: z.string(),
  value: SettingValueSchema,
  source: z.enum(['default', 'policy', 'user', 'env']),
  /** Set by the IT policy: shown as "managed by your organisation"; main refuses to change it. */
  managed: z.boolean(),
  editable: z.boolean(),
  lockedReason: z.string().nullable(),
  choices: z.array(z.string()).nullable(),
  ignoredOverride: z.string().nullable(),
});
export type SettingViewData = z.infer<typeof SettingViewSchema>;

const SettingsViewSchema = z.object({
  settings: z.array(SettingViewSchema),
  policy: z.object({
    file: z.string(),
    signature: z.string(),
    refused: z.boolean(),
    serial: z.number().int().nullable(),
  }),
});

export const aboutSettingsCalls = {
  getSettings: call({
    description:
      'The settings About shows, each with its source (default, IT policy, user, environment) and whether the organisation manages it.',
    request: z.object({}).strict(),
    response: SettingsViewSchema,
  }),
  changeSetting: call({
    description:
      'Changes one of the candidate’s settings (null: back to the default) in settings.json; MANAGED when the IT policy sets it.',
    request: z.object({ key: z.string().min(1).max(64), value: SettingValueSchema }).strict(),
    response: SettingsViewSchema,
  }),
  saveDiagnostics: call({
    description:
      'Writes one support archive (doctor report, redacted logs, policy sources, versions) for IT: a save dialog in the desktop app, the data folder’s diagnostics/ in browser mode.',
    request: z.object({}).strict(),
    response: z.object({
      /** Where it was written; null when the candidate cancelled the save dialog. */
      path: z.string().nullable(),
      bytes: z.number().int(),
      entries: z.array(z.string()),
    }),
  }),
};
