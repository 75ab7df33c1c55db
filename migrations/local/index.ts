// Static map of local (SQLite) migrations. Number ranges: 0001–0099 store and sync (issue 3),
// 0100–0199 media segments (issue 5), 0200–0299 interview and evaluation (issue 6),
// 0300–0399 candidate flow (issue 8).
// To add one: import it here and add one entry below.
import type { Migration } from 'kysely';
import * as m0001 from './0001_device_and_exam_cache';
import * as m0002 from './0002_sessions_events_warnings';
import * as m0003 from './0003_outbox_and_blob_uploads';
import * as m0004 from './0004_jobs';
import * as m0100 from './0100_media_segments';
import * as m0200 from './0200_interview';
import * as m0201 from './0201_documents';
import * as m0202 from './0202_evaluation';
import * as m0203 from './0203_token_usage';
import * as m0204 from './0204_token_usage_central_id';
import * as m0300 from './0300_candidate_progress';
import * as m0302 from './0302_after_session_into_jobs';
import * as m0303 from './0303_purge_jobs_drop_legacy';
import * as m0304 from './0304_enrollment_per_exam';
import * as m0305 from './0305_sealed_exam_cache';
import * as m0330 from './0330_blob_refusal_code';

export const localMigrations: Record<string, Migration> = {
  '0001_device_and_exam_cache': m0001,
  '0002_sessions_events_warnings': m0002,
  '0003_outbox_and_blob_uploads': m0003,
  '0004_jobs': m0004,
  '0100_media_segments': m0100,
  '0200_interview': m0200,
  '0201_documents': m0201,
  '0202_evaluation': m0202,
  '0203_token_usage': m0203,
  '0204_token_usage_central_id': m0204,
  '0300_candidate_progress': m0300,
  '0302_after_session_into_jobs': m0302,
  '0303_purge_jobs_drop_legacy': m0303,
  '0304_enrollment_per_exam': m0304,
  '0305_sealed_exam_cache': m0305,
  '0330_blob_refusal_code': m0330,
};
