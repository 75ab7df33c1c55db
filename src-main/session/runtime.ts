// Builds the candidate session service from the app's configuration: the app's one local SQLite
// store (shared with the media ledger), the central server as a device sees it (PostgreSQL, or embedded PGlite), the face
// analyser worker (started on first use), the interview flow (questions planned at its start,
// resumed from the database after a restart), evaluation jobs, the report archive
// and the uploader. Opened lazily on the first candidate call and closed with the app.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EventName, EventPayload, UpdateStatus } from '../../src-preload/contract';
import type { LoadedConfig } from '../config/load';
import { openCentral, type CentralStore } from '../central/connect';
import { migrateCentral } from '../central/migrate';
import { sqlDeviceChannel, type DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import { createAiServices } from '../evaluation/ai-services';
import { systemMonotonicClock } from '../interview/clock';
import { contentOutbox } from '../interview/content-outbox';
import { generatedQuestionCount, planQuestions } from '../interview/plan-questions';
import { InterviewSessionFlow, type SessionFlowDeps } from '../interview/session-flow';
import { InterviewRepository } from '../interview/session-repository';
import type { Exam } from '../interview/types';
import type { Logger } from '../log/logger';
import { realDiskIo } from '../media/disk-io';
import type { MediaRuntime } from '../media/runtime';
import { closeSharedParsers } from '../parsers/parser-pool';
import { decodeImage } from '../proctoring/decode-image';
import { WorkerFaceAnalyzer } from '../proctoring/face-analyzer';
import { TesseractIdOcr } from '../proctoring/id/ocr';
import { verifyId } from '../proctoring/id/verify-id';
import { modelPaths } from '../proctoring/model-files';
import { resolvePolicy } from '../proctoring/policy';
import { ReportArchive } from '../reports/report-archive';
import { ReportService } from '../reports/report-service';
import { warmUpReportRenderer } from '../reports/warm-up';
import { createTokenVaults, type SecretCipher } from '../store/device-credentials';
import type { LocalStore } from '../store/local-store';
import { registerBlob } from '../store/blob-uploads';
import type { JobRunner } from '../store/job-runner';
import { appendEvent } from '../store/event-chain';
import { enrollmentCredential } from '../sync/credentials';
import { enrolledCandidateName } from '../sync/enroll';
import { localDbPath } from '../store/db-file';
import { Uploader } from '../sync/uploader';
import { appVersion } from '../config/app-version';
import { assertExamVersion, examVersionBlock, updateHintOf } from '../update/version-gate';
import { registerAfterSessionJobs } from './after-session-jobs';
import { CandidateService } from './candidate-service';
import { accommodationOf } from './exam-options';
import { localReportSource } from './local-report-source';
import { defaultExamEvidencePorts } from './session-evidence';
import type { CachedExam } from '../store/exam-cache';

export interface CandidateRuntime {
  service(): Promise<CandidateService>;
  /** The local store (opened on first use), for diagnostics and the CLI. */
  store(): Promise<LocalStore>;
  /** The central store as this app connects to it (embedded PGlite by default): demo and diagnostics. */
  central(): Promise<CentralStore>;
  close(): Promise<void>;
}

export function localStoreFile(dataDir: string): string {
  return localDbPath(dataDir);
}

/** The cached exam as the interview flow stores it in its snapshot. */
function interviewExam(exam: CachedExam): Exam {
  return {
    id: exam.id,
    title: exam.title,
    type: exam.type,
    difficulty: exam.difficulty,
    key_questions: exam.keyQuestions,
    resume_id: null,
    job_listing_id: null,
    proctoring_policy: exam.policy,
  };
}

export function createCandidateRuntime(options: {
  loaded: LoadedConfig;
  logger: Logger;
  media: MediaRuntime;
  /** The app's one local store (opened on first use); its owner closes it after this runtime. */
  store: () => Promise<LocalStore>;
  /** That store's job runner (lazy-store.ts); its owner stops it before closing this runtime. */
  jobs: () => Promise<JobRunner>;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Where the app update stands: the version gate's advice on how to update depends on it. */
  updateStatus: () => UpdateStatus;
  /** The shell's OS-keychain cipher for the device token (absent in host mode: 0600 file). */
  secretCipher?: SecretCipher;
}): CandidateRuntime {
  const { loaded, logger } = options;
  const dataDir = loaded.dataDir;
  let opened:
    | Promise<{
        store: LocalStore;
        service: CandidateService;
        analyzer?: Promise<WorkerFaceAnalyzer>;
        ocr: TesseractIdOcr;
        uploader: Uploader;
        unwatchJobs: () => void;
        central: () => Promise<CentralStore>;
        closeCentral(): Promise<void>;
        closeAnalyzer(): Promise<void>;
      }>
    | undefined;

  const open = () => {
    opened ??= (async () => {
      const store = await options.store();
      const tokens = createTokenVaults(dataDir, options.secretCipher, {
        requireSealed: loaded.config.security.requireKeychain,
      });
      let central: Promise<CentralStore> | undefined;
      const centralStore = () => {
        central ??= openCentral({
          ...(loaded.config.central.url ? { url: loaded.config.central.url } : {}),
          defaultSslMode: loaded.config.central.sslMode,
          ...(loaded.config.central.caFile ? { caFile: loaded.config.central.caFile } : {}),
          embeddedDir: path.join(dataDir, 'central'),
          maxConnections: 2,
        })
          .then(async (opened) => {
            // The embedded store is ours to keep current; a real server is migrated by its owner.
            if (opened.kind === 'pglite') await migrateCentral(opened.db);
            return opened;
          })
          .catch((error: unknown) => {
            central = undefined;
            throw new VigilError('UNAVAILABLE', 'The exam server cannot be reached.', undefined, {
              cause: error,
            });
          });
        return central;
      };
      const channel = async (): Promise<DeviceChannel> => sqlDeviceChannel((await centralStore()).query);
      let analyzer: Promise<WorkerFaceAnalyzer> | undefined;
      const getAnalyzer = () => {
        analyzer ??= WorkerFaceAnalyzer.start();
        return analyzer;
      };
      const ocr = new TesseractIdOcr();
      const ai = createAiServices({ config: loaded.config, store });
      // The device's one job runner (shared with the media merges): the work after each session.
      const jobs = await options.jobs();
      const flowDeps = (hooks: Pick<SessionFlowDeps, 'onBreak'>): SessionFlowDeps => ({
        repo: new InterviewRepository(store),
        clock: systemMonotonicClock,
        audioDir: path.join(dataDir, 'answers'),
        transcriber: ai.transcriber,
        ...(hooks.onBreak ? { onBreak: hooks.onBreak } : {}),
      });
      const startingInterviews = new Map<string, Promise<InterviewSessionFlow>>();
      const startInterview = async (
        sessionId: string,
        exam: CachedExam,
        hooks: Pick<SessionFlowDeps, 'onBreak'>,
      ): Promise<InterviewSessionFlow> => {
        const snapshot = interviewExam(exam);
        const resumeText = exam.resumeText ?? null;
        const jobListingText = exam.jobListing
          ? `${exam.jobListing.title}\n${exam.jobListing.description}`
          : null;
        // The admin's questions, plus generated ones when the exam asks for them: the central
        // worker's list when the server handed one over, else the device's generator (AI with a
        // key, else or when the provider is unreachable the local one: the exam runs offline).
        const questions = await planQuestions(snapshot, ai.generator, {
          generateCount: generatedQuestionCount(exam.policy),
          serverQuestions: exam.generatedQuestions ?? null,
          resumeText,
          jobListingText,
          sessionId,
          onFallback: (err) =>
            logger.warn({ sessionId, err }, 'AI question generation failed; using the local generator'),
        });
        return InterviewSessionFlow.start(flowDeps(hooks), {
          sessionId,
          exam: snapshot,
          resumeText,
          jobListingText,
          questions,
          accommodation: accommodationOf(exam.policy),
        });
      };
      const archive = new ReportArchive(path.join(dataDir, 'reports'));
      const candidateName = () => enrolledCandidateName(store) ?? 'Candidate';
      const reports = new ReportService({
        source: localReportSource({ store, ledger: ai.ledger, candidateName }),
        archive,
        pageSize: () => loaded.config.report.pageSize,
        onArchived: async (sessionId, archived) => {
          store.write('report archived', (tx) => {
            registerBlob(tx, {
              id: randomUUID(),
              sessionId,
              kind: 'pdf',
              // The archive names files relative to its session folder; the uploader needs the full path.
              path: path.join(archive.rootDir, sessionId, archived.file),
              sha256: archived.sha256,
              size: archived.bytes,
              contentType: 'application/pdf',
              deleteAfterUpload: false,
            });
            appendEvent(tx, {
              sessionId,
              kind: 'report_generated',
              data: {
                reportId: archived.reportId,
                version: archived.version,
                sha256: archived.sha256,
                reason: archived.reason,
              },
              at: new Date().toISOString(),
            });
            contentOutbox(tx).queueReportPdf(sessionId, archived.sha256);
          });
        },
      });
      const uploader = new Uploader({
        store,
        channel: {
          redeem: async (...a) => (await channel()).redeem(...a),
          fetchExam: async (...a) => (await channel()).fetchExam(...a),
          releaseExamKey: async (...a) => (await channel()).releaseExamKey(...a),
          profile: async (...a) => (await channel()).profile(...a),
          ingest: async (...a) => (await channel()).ingest(...a),
          anchor: async (...a) => (await channel()).anchor(...a),
          blobBegin: async (...a) => (await channel()).blobBegin(...a),
          blobChunk: async (...a) => (await channel()).blobChunk(...a),
          blobFinish: async (...a) => (await channel()).blobFinish(...a),
        },
        // Each item with the token of the enrollment its session started under (sync/credentials.ts).
        token: (deviceId) => enrollmentCredential(store, tokens, deviceId),
        // Pending items and bytes, last success and last error: the status area and finish screen show them.
        onStatus: (status) => options.emit('syncStatus', status),
        logger,
      });
      uploader.start();
      // The first PDF of a process pays for font parsing and code warm-up (~1.2 s instead of ~0.6 s):
      // do it now, while the candidate is still at the checks, so the report at the end is fast.
      setTimeout(() => {
        warmUpReportRenderer().catch((error: unknown) =>
          logger.warn({ err: error }, 'report warm-up failed'),
        );
      }, 2000).unref();

      const service = new CandidateService({
        store,
        tokens,
        central: channel,
        versionGate: (exam) =>
          assertExamVersion(
            {
              examId: exam.id,
              examTitle: exam.title,
              // The central server keeps each exam's minimum app version in its policy.
              minAppVersion: typeof exam.policy.minAppVersion === 'string' ? exam.policy.minAppVersion : null,
            },
            appVersion(),
            updateHintOf(options.updateStatus(), loaded.config.update.enabled),
          ),
        versionBlock: (exam) =>
          examVersionBlock(
            { examId: exam.id, examTitle: exam.title, minAppVersion: exam.minAppVersion ?? null },
            appVersion(),
            updateHintOf(options.updateStatus(), loaded.config.update.enabled),
          ),
        pingCentral: async () => {
          const ping = (async () => {
            await (await centralStore()).query('SELECT 1');
            return true;
          })();
          const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000).unref());
          return Promise.race([ping, timeout]);
        },
        analyzer: getAnalyzer,
        analysisReady: () => {
          try {
            const paths = modelPaths();
            const missing = [paths.modelsDir].filter((p) => !fs.existsSync(p));
            return missing.length === 0
              ? { ok: true, detail: 'face models present' }
              : { ok: false, detail: `model files missing: ${missing.join(', ')}` };
          } catch (error) {
            return { ok: false, detail: (error as Error).message };
          }
        },
        // The accommodation's detector profile (e.g. no_gaze) adjusts the rules; its timing goes to the flow.
        policyFor: (exam: CachedExam) => resolvePolicy(exam.policy, accommodationOf(exam.policy).detectors),
        verifyId: async (card, live) =>
          verifyId({ card, live: await decodeImage(live), analyzer: await getAnalyzer(), ocr }),
        startInterview: (sessionId, exam, hooks) => {
          // Planning is async (question generation): a second call while it runs gets the same flow.
          let flow = startingInterviews.get(sessionId);
          if (!flow) {
            flow = startInterview(sessionId, exam, hooks);
            startingInterviews.set(sessionId, flow);
            flow.catch(() => startingInterviews.delete(sessionId));
          }
          return flow;
        },
        // After a restart: the flow rebuilt from the local database, the open question going on as
        // the exam's interruption policy says (session/interview-resume.ts).
        resumeInterview: (sessionId, hooks, resume) =>
          InterviewSessionFlow.resume(flowDeps(hooks), sessionId, resume),
        freeBytes: () => realDiskIo.freeBytes(dataDir),
        receiptsFor: (sessionId) =>
          (
            store.raw
              .prepare(`SELECT count(*) AS n FROM blob_uploads WHERE session_id = ? AND status = 'done'`)
              .get(sessionId) as { n: number }
          ).n,
        emit: options.emit,
        snapshotsDir: path.join(dataDir, 'snapshots'),
        configuredFps: loaded.config.proctoring.frameRate,
        bitsPerSecond: 1_064_000,
        logger,
        evidence: defaultExamEvidencePorts(appVersion()),
      });
      // Work after sessions that a closed app left unfinished (evaluation, report) resumes once its
      // handlers are registered, with the service there to show it; uploads resume with the uploader.
      registerAfterSessionJobs(jobs, {
        store,
        dataDir,
        evaluator: ai.evaluator,
        reports,
        media: options.media,
        transcriber: ai.transcriber,
      });
      // Sessions a stopped app left whose candidate can no longer come back finish now.
      service.finishStranded().then(
        (ids) => ids.length > 0 && logger.info({ sessions: ids }, 'stranded sessions finished'),
        (error: unknown) => logger.warn({ err: error }, 'stranded sessions could not be finished'),
      );
      // What the work produced (a report PDF, the recording's blobs) is sent now.
      const unwatchJobs = jobs.onChange((job) => {
        if (job.status === 'done' && (job.kind === 'report' || job.kind === 'recording_upload'))
          uploader.nudge();
      });
      return {
        store,
        service,
        ocr,
        uploader,
        unwatchJobs,
        central: centralStore,
        closeCentral: async () => {
          if (central) await (await central.catch(() => undefined))?.close();
        },
        closeAnalyzer: async () => {
          if (analyzer) await (await analyzer.catch(() => undefined))?.close();
        },
      };
    })();
    return opened;
  };

  return {
    service: async () => (await open()).service,
    store: async () => (await open()).store,
    central: async () => (await open()).central(),
    close: async () => {
      if (!opened) return;
      const o = await opened;
      opened = undefined;
      o.unwatchJobs();
      await o.service.close();
      await o.uploader.stop();
      await o.ocr.close();
      await o.closeAnalyzer();
      // The parser workers (camera frames, ID photos) stop with the app, not 30 s later.
      await closeSharedParsers();
      await o.closeCentral();
    },
  };
}
