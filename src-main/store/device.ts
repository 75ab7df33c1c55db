// The device this installation is enrolled as (one row), as returned by the central server when an
// enrollment code is redeemed. The token itself lives in the TokenVault, never in SQLite.
import type { Tx } from './local-store';
import type { DeviceTable } from './schema';

export interface EnrolledDevice {
  deviceId: string;
  candidateId: string;
  examId: string;
  tokenStorage: 'file' | 'safeStorage';
  enrolledAt: string;
  expiresAt: string | null;
}

export function saveDevice(tx: Tx, device: EnrolledDevice): void {
  const row: DeviceTable = {
    id: 1,
    device_id: device.deviceId,
    candidate_id: device.candidateId,
    exam_id: device.examId,
    central_label: null,
    token_storage: device.tokenStorage,
    enrolled_at: device.enrolledAt,
    expires_at: device.expiresAt,
  };
  tx.run(
    tx.q
      .insertInto('device')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(row)),
  );
}

export function loadDevice(tx: Tx): EnrolledDevice | undefined {
  const row = tx.first(tx.q.selectFrom('device').selectAll().where('id', '=', 1));
  if (!row) return undefined;
  return {
    deviceId: row.device_id,
    candidateId: row.candidate_id,
    examId: row.exam_id,
    tokenStorage: row.token_storage,
    enrolledAt: row.enrolled_at,
    expiresAt: row.expires_at,
  };
}
