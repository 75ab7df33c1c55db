// Static map of central (PostgreSQL) migrations. To add one: import it here and add one entry.
// Released migrations are frozen and self-contained (tests/unit/lint/migration-imports.test.ts); a
// migration that changes a function also updates schema/central/functions/ (see its README).
import type { Migration } from 'kysely';
import * as m0001 from './0001_roles_and_schema';
import * as m0002 from './0002_people_and_exams';
import * as m0003 from './0003_sessions_and_evidence';
import * as m0004 from './0004_row_level_security';
import * as m0005 from './0005_device_ingest_functions';
import * as m0006 from './0006_set_based_ingest';
import * as m0007 from './0007_token_usage_request_time';
import * as m0100 from './0100_review_console';
import * as m0101 from './0101_proctor_policies_at_scale';
import * as m0102 from './0102_single_verdict_audit';
import * as m0200 from './0200_known_app_builds';
import * as m0201 from './0201_missing_app_build';
import * as m0300 from './0300_device_profile';
import * as m0301 from './0301_enrollment_accommodation';
import * as m0400 from './0400_recordings_of_any_length';
import * as m0401 from './0401_session_media_links';
import * as m0402 from './0402_risk_factors';
import * as m0430 from './0430_server_time';
import * as m0431 from './0431_server_owned_flags';
import * as m0432 from './0432_write_freeze';
import * as m0433 from './0433_chain_anchors';
import * as m0434 from './0434_policy_mismatch';
import * as m0440 from './0440_central_reports';
import * as m0460 from './0460_evaluation_policy';
import * as m0461 from './0461_proctoring_policy_mismatch';
import * as m0445 from './0445_sealed_exam_content';
import * as m0410 from './0410_central_worker';
import * as m0455 from './0455_retention_worker';
import * as m0500 from './0500_enrollment_code_hardening';
import * as m0505 from './0505_pooler_enrollment_allowance';
import * as m0520 from './0520_blob_quotas';
import * as m0450 from './0450_server_transcripts';
import * as m0451 from './0451_exam_generated_questions';
import * as m0452 from './0452_fetch_exam_generated_questions';
import * as m0530 from './0530_fetch_exam_min_app_version';
import * as m0525 from './0525_assistive_allowed_apps';
import * as m0510 from './0510_append_only_audit_and_logins';

export const centralMigrations: Record<string, Migration> = {
  '0001_roles_and_schema': m0001,
  '0002_people_and_exams': m0002,
  '0003_sessions_and_evidence': m0003,
  '0004_row_level_security': m0004,
  '0005_device_ingest_functions': m0005,
  '0006_set_based_ingest': m0006,
  '0007_token_usage_request_time': m0007,
  '0100_review_console': m0100,
  '0101_proctor_policies_at_scale': m0101,
  '0102_single_verdict_audit': m0102,
  '0200_known_app_builds': m0200,
  '0201_missing_app_build': m0201,
  '0300_device_profile': m0300,
  '0301_enrollment_accommodation': m0301,
  '0400_recordings_of_any_length': m0400,
  '0401_session_media_links': m0401,
  '0402_risk_factors': m0402,
  '0430_server_time': m0430,
  '0431_server_owned_flags': m0431,
  '0432_write_freeze': m0432,
  '0433_chain_anchors': m0433,
  '0434_policy_mismatch': m0434,
  '0440_central_reports': m0440,
  '0460_evaluation_policy': m0460,
  '0461_proctoring_policy_mismatch': m0461,
  '0445_sealed_exam_content': m0445,
  '0410_central_worker': m0410,
  '0455_retention_worker': m0455,
  '0500_enrollment_code_hardening': m0500,
  '0505_pooler_enrollment_allowance': m0505,
  '0450_server_transcripts': m0450,
  '0451_exam_generated_questions': m0451,
  '0452_fetch_exam_generated_questions': m0452,
  '0530_fetch_exam_min_app_version': m0530,
  '0525_assistive_allowed_apps': m0525,
  '0510_append_only_audit_and_logins': m0510,
  '0520_blob_quotas': m0520,
};
