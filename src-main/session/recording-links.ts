// Links what the recording upload job registers to what the proctor opens: the merged video (upload
// mode full) to the central session, with the wall time of its first frame so the console seeks to
// a warning from the recording's start; in flags_only the poster to the session and each clip to its
// warning (the warning's `details.clip`, which the console plays). Written in the transaction that
// registers the blobs, so a link never names a file that is not queued for upload.
import type { UploadArtifact } from '../media/upload-artifacts';
import type { Tx } from '../store/local-store';
import { enqueue } from '../store/outbox';
import { linkWarningClip } from '../store/sessions';

export interface RegisteredArtifact {
  artifact: Pick<UploadArtifact, 'kind' | 'warningId' | 'startS' | 'lengthS' | 'atS'>;
  sha256: string;
}

export function linkRecordingArtifacts(
  tx: Tx,
  sessionId: string,
  recordingStartedAt: string | null,
  registered: RegisteredArtifact[],
): void {
  const video = registered.find((r) => r.artifact.kind === 'recording');
  const poster = registered.find((r) => r.artifact.kind === 'poster');
  if (video || poster) {
    enqueue(tx, {
      kind: 'session.update',
      idempotencyKey: `session.recording:${sessionId}:${video?.sha256 ?? poster!.sha256}`,
      sessionId,
      payload: {
        id: sessionId,
        ...(video ? { videoSha256: video.sha256 } : {}),
        ...(video && recordingStartedAt ? { videoStartedAt: recordingStartedAt } : {}),
        ...(poster ? { posterSha256: poster.sha256 } : {}),
      },
    });
  }
  for (const { artifact, sha256 } of registered) {
    if (artifact.kind !== 'clip' || !artifact.warningId) continue;
    linkWarningClip(tx, artifact.warningId, {
      sha256,
      ...(artifact.startS !== undefined ? { startS: artifact.startS } : {}),
      ...(artifact.lengthS !== undefined ? { lengthS: artifact.lengthS } : {}),
      ...(artifact.atS !== undefined ? { atS: artifact.atS } : {}),
    });
  }
}
