// Contract handlers of the admin screens: the same AdminService and RetentionService as
// `vigil admin …`, on the signed-in admin's own PostgreSQL login.
import { AdminService, LIST_COLUMNS } from '../../admin/admin-service';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

const ok = { ok: true as const };

export function adminHandlers(
  ctx: AppContext,
): HandlerGroup<
  | 'adminList'
  | 'adminExportCsv'
  | 'adminSaveExam'
  | 'adminAddStaff'
  | 'adminAssignProctor'
  | 'adminCreateEnrollments'
  | 'adminRevoke'
  | 'adminUsage'
  | 'adminPurge'
> {
  return {
    adminList: async ({ list, ...filter }) => ({
      columns: [...LIST_COLUMNS[list]],
      rows: (await ctx.console.admin.list(list, filter)).map(
        (row) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>,
      ),
    }),
    adminExportCsv: async ({ list, ...filter }) => ({
      fileName: `vigil-${list}-${new Date().toISOString().slice(0, 10)}.csv`,
      csv: await ctx.console.admin.exportCsv(list, filter),
    }),
    adminSaveExam: async ({ id, exam }) => ({ id: await ctx.console.admin.saveExam(exam, id) }),
    adminAddStaff: async (request) => ({ id: await ctx.console.admin.addStaff(request) }),
    adminAssignProctor: async ({ examId, proctorId, remove }) => {
      if (remove) await ctx.console.admin.unassignProctor(examId, proctorId);
      else await ctx.console.admin.assignProctor(examId, proctorId);
      return ok;
    },
    adminCreateEnrollments: async (request) => {
      const codes = await ctx.console.admin.createEnrollments(request);
      const exam = await ctx.console.admin.getExam(request.examId);
      return { codes, csv: AdminService.mailMergeCsv(String(exam.title), codes) };
    },
    adminRevoke: async ({ what, id }) => {
      if (what === 'device') await ctx.console.admin.revokeDevice(id);
      else await ctx.console.admin.revokeEnrollment(id);
      return ok;
    },
    adminUsage: async () => ({
      byExam: (await ctx.console.admin.list('usage')).map(
        (row) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>,
      ),
      ...(await ctx.console.admin.usageTotals()),
    }),
    adminPurge: ({ dryRun }) => ctx.console.retention.purge({ dryRun }),
  };
}
