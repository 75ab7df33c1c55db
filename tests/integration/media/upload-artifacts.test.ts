// What the blob uploader is handed: in flags_only mode only a poster, snapshots and a short clip
// around every warning — never the full video; in full mode the merged video as well.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaUploadSource, type WarningMoment } from '../../../src-main/media/upload-artifacts';
import { clipWindow } from '../../../src-main/media/clips';
import {
  bins,
  ffprobeJson,
  makeLiveWebm,
  openService,
  sliceChunks,
  tempDir,
} from '../../support/media/fixtures';

let root: string;
let source: string;
const SECONDS = 10;

beforeAll(() => {
  root = tempDir('media-upload');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function recorded(mode: 'full' | 'flags_only') {
  const fx = await openService(tempDir(`up-${mode}`));
  const { recordingId } = await fx.service.start({
    sessionId: `up-${mode}`,
    mimeType: 'video/webm',
    expectedDurationS: 60,
    uploadMode: mode,
  });
  for (const [seq, chunk] of sliceChunks(source, 5, SECONDS * 1000).entries()) {
    await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunk });
  }
  const merged = await fx.service.stop(recordingId, SECONDS * 1000);
  const startedMs = Date.parse((await fx.ledger.recording(recordingId))!.started_at);
  const at = (s: number) => new Date(startedMs + s * 1000).toISOString();
  return { fx, recordingId, merged, at };
}

describe('upload artifacts by upload mode', () => {
  it('flags_only never hands over the full video; every warning gets a clip around its start', async () => {
    const { fx, recordingId, merged, at } = await recorded('flags_only');
    try {
      const snapshot = path.join(fx.dir, 'snap-1.jpg');
      fs.writeFileSync(snapshot, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      const warnings: WarningMoment[] = [
        { id: 'w-start', startedAt: at(0.5) },
        { id: 'w-mid', startedAt: at(5) },
        { id: 'w-end', startedAt: at(9.5) },
      ];
      const source = createMediaUploadSource({
        ledger: fx.ledger,
        binaries: bins,
        clip: { beforeS: 2, afterS: 2 },
      });
      const artifacts = await source.artifactsFor(recordingId, warnings, [
        { file: snapshot, warningId: 'w-mid' },
      ]);

      expect(artifacts.some((a) => a.kind === 'recording')).toBe(false);
      expect(artifacts.some((a) => path.resolve(a.file) === path.resolve(merged.path))).toBe(false);
      const mergedBytes = fs.readFileSync(merged.path);
      for (const artifact of artifacts) {
        expect(fs.readFileSync(artifact.file).equals(mergedBytes)).toBe(false);
      }

      const clips = artifacts.filter((a) => a.kind === 'clip');
      expect(clips.map((c) => c.warningId)).toEqual(['w-start', 'w-mid', 'w-end']);
      for (const clip of clips) {
        const probe = ffprobeJson(clip.file);
        expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
        const duration = Number(probe.format.duration);
        expect(duration).toBeGreaterThan(clip.lengthS! - 0.3);
        expect(duration).toBeLessThan(clip.lengthS! + 0.3);
        expect(duration).toBeLessThan(merged.durationS / 2);
      }
      expect(clips[1]).toMatchObject({ startS: 3, lengthS: 4 });
      // Where the console plays each clip from: the warning's moment inside it.
      expect(clips.map((c) => c.atS)).toEqual([0.5, 2, 2]);
      expect(clips[0]!.startS).toBe(0);
      expect(clips[2]!.startS! + clips[2]!.lengthS!).toBeCloseTo(merged.durationS, 3);

      const poster = artifacts.find((a) => a.kind === 'poster')!;
      expect(fs.readFileSync(poster.file).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(artifacts.filter((a) => a.kind === 'snapshot')).toEqual([
        expect.objectContaining({ file: snapshot, warningId: 'w-mid', contentType: 'image/jpeg' }),
      ]);
    } finally {
      await fx.close();
    }
  });

  it('full hands over the merged video, plus poster and clips', async () => {
    const { fx, recordingId, merged, at } = await recorded('full');
    try {
      const source = createMediaUploadSource({ ledger: fx.ledger, binaries: bins });
      const artifacts = await source.artifactsFor(recordingId, [{ id: 'w1', startedAt: at(3) }]);
      expect(artifacts.map((a) => a.kind)).toEqual(['recording', 'poster', 'clip']);
      expect(artifacts[0]).toMatchObject({ file: merged.path, contentType: 'video/webm' });
    } finally {
      await fx.close();
    }
  });

  it('clip windows stay inside the recording', () => {
    expect(clipWindow({ atS: 1, beforeS: 5, afterS: 5, durationS: 60 })).toEqual({ startS: 0, lengthS: 6 });
    expect(clipWindow({ atS: 58, beforeS: 5, afterS: 5, durationS: 60 })).toEqual({ startS: 53, lengthS: 7 });
    expect(clipWindow({ atS: 90, beforeS: 5, afterS: 5, durationS: 60 })).toEqual({ startS: 55, lengthS: 5 });
  });
});
