// Validates a ReportInput and turns zod's issues into a VigilError that names each bad field, so
// whoever maps the store's rows (or writes an --input JSON file) sees exactly what to fix.
import { VigilError } from '../errors';
import { ReportInputSchema, type ReportInput } from './types';

export function parseReportInput(raw: unknown): ReportInput {
  const result = ReportInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 20).map((issue) => ({
    field: issue.path.join('.') || '(root)',
    problem: issue.message,
  }));
  throw new VigilError(
    'BAD_REQUEST',
    `The report input is invalid: ${problems
      .slice(0, 3)
      .map((p) => `${p.field}: ${p.problem}`)
      .join('; ')}${problems.length > 3 ? '; …' : ''}`,
    { problems },
  );
}
