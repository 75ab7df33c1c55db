// Contract calls of the proctor and admin console window (issue 9), kept in their own file and spread into
// `calls` in contract.ts. Pure zod, like the contract itself.
import { z } from 'zod';
import { RiskExplanationSchema } from './risk-explanation';
import { ExamTypeSchema } from './vocabulary';

function call<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  request: Req;
  response: Res;
  description: string;
  maxRequestBytes?: number;
}) {
  return spec;
}

const Uuid = z.uuid();
const Iso = z.string();
const Json = z.record(z.string(), z.unknown());

export const ReviewerSchema = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.string(),
  pgRole: z.string(),
});

export const QueueFilterSchema = z
  .object({
    examId: Uuid.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    status: z.enum(['in_progress', 'completed', 'abandoned', 'terminated']).optional(),
    warningType: z.string().min(1).max(64).optional(),
    reviewState: z.enum(['pending', 'in_review', 'decided']).optional(),
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(200).optional(),
    cursor: z.string().max(400).optional(),
  })
  .strict();

export const QueueRowSchema = z.object({
  sessionId: z.string(),
  examId: z.string(),
  examTitle: z.string(),
  candidateId: z.string(),
  candidateName: z.string(),
  candidateEmail: z.string(),
  status: z.string(),
  startedAt: Iso,
  endedAt: Iso.nullable(),
  riskScore: z.number().nullable(),
  /** Who computed `riskScore`: the central worker, or (advisory, until the server scores it) the device. */
  riskSource: z.enum(['server', 'device']).nullable().optional(),
  flags: z.array(z.object({ type: z.string(), count: z.number() })),
  reviewState: z.enum(['pending', 'in_review', 'decided']),
  decision: z.string().nullable(),
});

const WarningSchema = z.object({
  id: z.string(),
  type: z.string(),
  severity: z.string(),
  startedAt: Iso,
  endedAt: Iso.nullable(),
  offsetS: z.number(),
  durationS: z.number(),
  confidence: z.number().nullable(),
  details: Json,
  snapshotSha256: z.string().nullable(),
  media: z.object({
    kind: z.enum(['merged', 'clip', 'none']),
    sha256: z.string().nullable(),
    startS: z.number(),
  }),
  myVerdict: z.string().nullable(),
  reviews: z.array(
    z.object({
      reviewerId: z.string().nullable(),
      reviewerName: z.string(),
      verdict: z.string(),
      comment: z.string(),
      at: Iso,
    }),
  ),
  agreement: z.enum(['agree', 'disagree']).nullable(),
});

/** One filed report version (the worker's, the device's, or an earlier console's). */
const ReportVersionSchema = z.object({
  version: z.number(),
  reportId: z.string(),
  reason: z.string(),
  sha256: z.string(),
  at: Iso,
  filedBy: z.enum(['device', 'console', 'worker']),
  by: z.string().nullable(),
  /** The worker that made it (worker versions). */
  madeBy: z.string().nullable(),
  uploaded: z.boolean(),
});

export const SessionReviewSchema = z.object({
  session: z.object({
    id: z.string(),
    status: z.string(),
    startedAt: Iso,
    endedAt: Iso.nullable(),
    riskScore: z.number().nullable(),
    /** The server's risk when the central worker has scored the session, else the device's. */
    risk: RiskExplanationSchema.nullable(),
    riskSource: z.enum(['server', 'device']).nullable().optional(),
    /** The device's own risk, advisory, shown next to the server's when both exist. */
    deviceRisk: RiskExplanationSchema.nullable().optional(),
    evidenceVerdict: z.string(),
    anchoring: z.object({
      state: z.enum(['anchored', 'partly_offline', 'offline']),
      anchors: z.number(),
      offlineS: z.number(),
      longestGapS: z.number(),
    }),
    videoSha256: z.string().nullable(),
    posterSha256: z.string().nullable(),
  }),
  exam: z.object({
    id: z.string(),
    title: z.string(),
    type: z.string(),
    difficulty: z.number(),
    uploadMode: z.string(),
    resume: z.object({ fileName: z.string(), text: z.string() }).nullable(),
    jobListing: z.object({ title: z.string(), description: z.string() }).nullable(),
  }),
  candidate: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  idVerification: z.object({
    status: z.string().nullable(),
    details: Json.nullable(),
    imageSha256: z.string().nullable(),
  }),
  timeline: z.array(z.object({ seq: z.number(), kind: z.string(), at: Iso, offsetS: z.number() })),
  warnings: z.array(WarningSchema),
  answers: z.array(
    z.object({
      ordinal: z.number(),
      question: z.string(),
      answer: z.string().nullable(),
      /** The central worker's transcript of a spoken answer (what the server evaluated). */
      serverTranscript: z.string().nullable(),
      askedAt: Iso.nullable(),
      answeredAt: Iso.nullable(),
      score: z.number().nullable(),
      feedback: z.string().nullable(),
    }),
  ),
  evaluation: z
    .object({
      overall: z.number(),
      professionalism: z.number(),
      subjectKnowledge: z.number(),
      clarity: z.number(),
      feedback: z.string(),
      traits: z.array(z.unknown()),
      suggestions: z.array(z.unknown()),
      questionResponses: z.array(z.unknown()),
      evaluator: z.string(),
      /** `server`: made by the central worker (it replaces nothing; the device's is kept apart). */
      source: z.enum(['server', 'device']).optional(),
      /** What produced the scores, e.g. "AI evaluation by gpt-4o-mini …" (server evaluations). */
      label: z.string().optional(),
    })
    .nullable(),
  decision: z.object({ decision: z.string(), note: z.string(), by: z.string(), at: Iso }).nullable(),
  agreementRate: z.number().nullable(),
  reports: z.array(ReportVersionSchema),
  /** The latest version the central worker made (the report of record); null while it makes one. */
  latestReport: ReportVersionSchema.nullable(),
  refusedDeviceWrites: z.array(z.object({ at: Iso, kind: z.string(), reason: z.string() })),
});

export const AdminListNameSchema = z.enum([
  'users',
  'exams',
  'enrollments',
  'devices',
  'sessions',
  'usage',
  'receipts',
]);
const ListRequest = z
  .object({
    list: AdminListNameSchema,
    search: z.string().max(200).optional(),
    kind: z.string().max(32).optional(),
    examId: Uuid.optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

/**
 * An exam's accommodation profile, given to one candidate through their enrollment. The same shape the
 * device reads as `policy.accommodation` (src-main/interview/accommodation.ts TimingAccommodationSchema
 * plus `detectors`, a detector profile of proctoring/policy.ts such as "no_gaze"); `notes` is for admins.
 */
export const AccommodationProfileSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** 50 means each question gets 1.5 × its time limit. */
    extraTimePercent: z.number().int().min(0).max(300).optional(),
    /** Breaks between questions, each up to maxMinutes; null or absent: none. */
    breaks: z
      .object({ count: z.number().int().min(1).max(20), maxMinutes: z.number().min(0.5).max(120) })
      .nullable()
      .optional(),
    detectors: z.string().min(1).max(64).optional(),
    /** Applications this candidate may run besides the assistive ones (e.g. a calculator). */
    allowedApps: z.array(z.string().min(1).max(100)).max(50).optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict();
export type AccommodationProfile = z.infer<typeof AccommodationProfileSchema>;

export const ExamInputSchema = z
  .object({
    title: z.string().min(1).max(300),
    type: ExamTypeSchema,
    difficulty: z.number().int().min(1).max(10),
    keyQuestions: z
      .array(z.object({ question: z.string().min(1), time_limit_s: z.number().int().min(1) }))
      .optional(),
    resumeId: Uuid.nullable().optional(),
    jobListingId: Uuid.nullable().optional(),
    policy: Json.optional(),
    accommodationProfiles: z.array(AccommodationProfileSchema).max(50).optional(),
    retentionDays: z.number().int().min(1).max(3650).optional(),
    uploadMode: z.enum(['full', 'flags_only']).optional(),
    /** The exam's window (server clock): its key is released only inside it (central 0445); after
     * it closes its devices keep uploading late items for the grace hours (central 0455). */
    opensAt: Iso.nullable().optional(),
    closesAt: Iso.nullable().optional(),
    lateUploadGraceHours: z.number().int().min(0).max(720).optional(),
  })
  .strict();

export const ReceiptSchema = z.object({
  kind: z.enum(['purge', 'erasure']),
  dryRun: z.boolean(),
  at: Iso,
  subject: Json,
  sessions: z.array(z.object({ id: z.string(), examId: z.string(), endedAt: Iso.nullable() })),
  rows: z.record(z.string(), z.number()),
  files: z.array(z.object({ path: z.string(), bytes: z.number() })),
  sha256: z.string(),
});

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

export const consoleCalls = {
  consoleSignIn: call({
    description:
      "Signs the console in with the proctor's or admin's own PostgreSQL login; row-level security decides what it sees.",
    request: z.object({ user: z.string().min(1).max(63), password: z.string().min(1).max(1024) }).strict(),
    response: ReviewerSchema,
  }),
  consoleSignOut: call({ description: 'Closes the console login.', request: Empty, response: Ok }),
  consoleWhoAmI: call({
    description: 'Who the console is signed in as, or null.',
    request: Empty,
    response: ReviewerSchema.nullable(),
  }),
  reviewQueue: call({
    description: 'One page of the risk-ranked review queue (keyset paging with `cursor`).',
    request: QueueFilterSchema,
    response: z.object({ rows: z.array(QueueRowSchema), nextCursor: z.string().nullable() }),
  }),
  reviewLoad: call({
    description:
      'Everything needed to review one session: timeline, warnings with media, ID check, answers, evaluation, decision.',
    request: z.object({ sessionId: Uuid }).strict(),
    response: SessionReviewSchema,
  }),
  reviewWarning: call({
    description: "Confirms or dismisses one warning (audited; the session's report is regenerated).",
    request: z
      .object({
        warningId: Uuid,
        verdict: z.enum(['confirmed', 'dismissed']),
        comment: z.string().max(2000).optional(),
      })
      .strict(),
    response: z.object({ sessionId: z.string() }),
  }),
  reviewDecide: call({
    description:
      'Records the session decision: cleared, flagged or invalidated, with a note (audited; report regenerated).',
    request: z
      .object({
        sessionId: Uuid,
        decision: z.enum(['cleared', 'flagged', 'invalidated']),
        note: z.string().max(4000).optional(),
      })
      .strict(),
    response: Ok,
  }),
  reviewBlob: call({
    description:
      'Where the page loads a snapshot, ID image, clip or video of a visible session: a same-origin URL ' +
      'that answers HTTP Range requests (a video seeks without the whole file being loaded).',
    request: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    response: z.object({
      contentType: z.string(),
      size: z.number().int().nonnegative(),
      url: z.string().startsWith('/review-blob/'),
    }),
  }),
  adminList: call({
    description:
      'One admin list (users, exams, enrollments, devices, sessions, usage) with search and filters.',
    request: ListRequest,
    response: z.object({ columns: z.array(z.string()), rows: z.array(Json) }),
  }),
  adminExportCsv: call({
    description: 'The same list as CSV; cells that a spreadsheet would run as a formula are neutralised.',
    request: ListRequest,
    response: z.object({ fileName: z.string(), csv: z.string() }),
  }),
  adminSaveExam: call({
    description: 'Creates an exam, or updates it when `id` is given.',
    request: z.object({ id: Uuid.optional(), exam: ExamInputSchema }).strict(),
    response: z.object({ id: z.string() }),
  }),
  adminAddStaff: call({
    description: 'Adds a proctor or admin with their own PostgreSQL login.',
    request: z
      .object({
        email: z.email(),
        name: z.string().max(200).optional(),
        role: z.enum(['proctor', 'admin']),
        login: z.string().min(3).max(63),
        password: z.string().min(12).max(1024),
      })
      .strict(),
    response: z.object({ id: z.string() }),
  }),
  adminAssignProctor: call({
    description: 'Assigns (or with remove, unassigns) a proctor to an exam.',
    request: z.object({ examId: Uuid, proctorId: Uuid, remove: z.boolean().optional() }).strict(),
    response: Ok,
  }),
  adminCreateEnrollments: call({
    description: 'One-time enrollment codes for many candidates; returns them once, with a mail-merge CSV.',
    request: z
      .object({
        examId: Uuid,
        candidates: z
          .array(
            z.object({
              email: z.email(),
              name: z.string().max(200).optional(),
              /** One of the exam's accommodation profiles, by name. */
              accommodation: z.string().min(1).max(100).optional(),
            }),
          )
          .min(1)
          .max(5000),
        ttlHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .optional(),
      })
      .strict(),
    response: z.object({
      codes: z.array(
        z.object({
          enrollmentId: z.string(),
          email: z.string(),
          name: z.string(),
          code: z.string(),
          expiresAt: Iso,
        }),
      ),
      csv: z.string(),
    }),
    maxRequestBytes: 1024 * 1024,
  }),
  adminRevoke: call({
    description: 'Revokes an enrollment code or a device.',
    request: z.object({ what: z.enum(['enrollment', 'device']), id: Uuid }).strict(),
    response: Ok,
  }),
  adminUsage: call({
    description: 'Token usage and cost: per exam and model, and cumulative by day.',
    request: Empty,
    response: z.object({
      byExam: z.array(Json),
      days: z.array(
        z.object({ day: z.string(), totalTokens: z.number(), cost: z.number(), cumulativeCost: z.number() }),
      ),
      totalCost: z.number(),
      totalTokens: z.number(),
    }),
  }),
  adminPurge: call({
    description:
      "Deletes sessions past their exam's retention (or, with dryRun, lists them) and returns the receipt.",
    request: z.object({ dryRun: z.boolean() }).strict(),
    response: ReceiptSchema,
  }),
};
