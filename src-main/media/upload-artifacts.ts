// What the blob uploader receives for a recording, by the exam's upload mode: `full` hands over the
// merged video (plus poster and clips); `flags_only` hands over only snapshots, a poster and short
// clips around each warning, never the full video, which stays on the device until retention ends.
import path from 'node:path';
import type { MediaBinaries } from './binaries';
import { extractClip, extractPoster } from './clips';
import type { MediaLedger } from './ledger';
import { mediaError } from './media-error';

export type ArtifactKind = 'recording' | 'clip' | 'poster' | 'snapshot';

export interface UploadArtifact {
  kind: ArtifactKind;
  sessionId: string;
  recordingId: string;
  file: string;
  contentType: string;
  warningId?: string;
  /** Clip window in seconds from the recording's start. */
  startS?: number;
  lengthS?: number;
  /** A clip's warning moment, in seconds from the clip's own start (where the console plays it from). */
  atS?: number;
}

export interface WarningMoment {
  id: string;
  /** When the warning started (ISO time); placed on the recording by its start time. */
  startedAt: string;
}

export interface SnapshotFile {
  file: string;
  warningId?: string;
}

/** The interface the sync engineer's blob uploader consumes. */
export interface MediaUploadSource {
  artifactsFor(
    recordingId: string,
    warnings: WarningMoment[],
    snapshots?: SnapshotFile[],
  ): Promise<UploadArtifact[]>;
}

export interface ClipSettings {
  beforeS: number;
  afterS: number;
}

export const DEFAULT_CLIP_SETTINGS: ClipSettings = { beforeS: 5, afterS: 5 };

export function createMediaUploadSource(options: {
  ledger: MediaLedger;
  binaries: () => MediaBinaries;
  clip?: ClipSettings;
}): MediaUploadSource {
  const clip = options.clip ?? DEFAULT_CLIP_SETTINGS;
  return {
    async artifactsFor(recordingId, warnings, snapshots = []) {
      const recording = await options.ledger.recording(recordingId);
      if (!recording) throw mediaError('not_found', `There is no recording ${recordingId}.`, { recordingId });
      if (!recording.merged_path || recording.merged_duration_s === null) {
        throw mediaError(
          'not_recording',
          `Recording ${recordingId} is not merged yet: nothing can be uploaded.`,
          {
            recordingId,
            state: recording.state,
          },
        );
      }
      const bins = options.binaries();
      const base = { sessionId: recording.session_id, recordingId };
      const durationS = recording.merged_duration_s;
      const startedMs = Date.parse(recording.started_at);
      const out: UploadArtifact[] = [];
      if (recording.upload_mode === 'full') {
        out.push({
          ...base,
          kind: 'recording',
          file: recording.merged_path,
          contentType: recording.mp4 ? 'video/mp4' : 'video/webm',
        });
      }
      const poster = path.join(recording.dir, 'poster.jpg');
      await extractPoster(bins, recording.merged_path, poster, Math.min(1, durationS / 2));
      out.push({ ...base, kind: 'poster', file: poster, contentType: 'image/jpeg' });
      for (const warning of warnings) {
        const atS = Math.max(0, (Date.parse(warning.startedAt) - startedMs) / 1000);
        const file = path.join(recording.dir, 'clips', `${warning.id.replace(/[^A-Za-z0-9_-]/g, '_')}.mp4`);
        const window = await extractClip(bins, {
          input: recording.merged_path,
          output: file,
          atS,
          beforeS: clip.beforeS,
          afterS: clip.afterS,
          durationS,
        });
        out.push({
          ...base,
          kind: 'clip',
          file,
          contentType: 'video/mp4',
          warningId: warning.id,
          ...window,
          atS: Math.round(Math.max(0, atS - window.startS) * 1000) / 1000,
        });
      }
      for (const snapshot of snapshots) {
        out.push({
          ...base,
          kind: 'snapshot',
          file: snapshot.file,
          contentType: 'image/jpeg',
          ...(snapshot.warningId ? { warningId: snapshot.warningId } : {}),
        });
      }
      if (recording.upload_mode === 'flags_only' && out.some((a) => a.file === recording.merged_path)) {
        // Defensive: flags_only must never hand the full video over, whatever changes above.
        throw mediaError('check_failed', 'flags_only upload would include the full video; refused.', {
          recordingId,
        });
      }
      return out;
    },
  };
}
