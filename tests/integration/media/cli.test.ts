// `vigil media merge|probe` as a user runs them: a folder of MediaRecorder-like segments becomes
// one H.264/AAC MP4, probe reports it as JSON, and a missing file is a clear error with exit 2.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLiveWebm, tempDir } from '../../support/media/fixtures';

let root: string;

function vigil(...args: string[]) {
  return spawnSync(process.execPath, ['bin/vigil.mjs', ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      VIGIL_DATA_DIR: path.join(root, 'data'),
      VIGIL_POLICY_FILE: path.join(root, 'none.json'),
    },
  });
}

beforeAll(() => {
  root = tempDir('media-cli');
  fs.mkdirSync(path.join(root, 'rec'));
  makeLiveWebm(path.join(root, 'rec', 'segment-00000.webm'), { seconds: 3 });
  makeLiveWebm(path.join(root, 'rec', 'segment-00001.webm'), { seconds: 2 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('vigil media CLI', () => {
  it('merges a folder of segments into an MP4 and probes it as JSON', () => {
    const out = path.join(root, 'merged.mp4');
    const merge = vigil('media', 'merge', path.join(root, 'rec'), '--out', out, '--mp4');
    expect(merge.stderr).toBe('');
    expect(merge.status).toBe(0);
    expect(merge.stdout).toMatch(/merged 2 segment\(s\) into .*merged\.mp4/);

    const probe = vigil('media', 'probe', out, '--json');
    expect(probe.status).toBe(0);
    const parsed = JSON.parse(probe.stdout) as {
      durationS: number;
      streams: { type: string; codec: string }[];
    };
    expect(parsed.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    // 3 s + 2 s; each synthetic segment carries ~21 ms of Opus pre-skip, and AAC adds its priming.
    expect(Math.abs(parsed.durationS - 5)).toBeLessThan(0.1);
  });

  it('says what is wrong when the file does not exist (exit 2)', () => {
    const probe = vigil('media', 'probe', path.join(root, 'missing.webm'));
    expect(probe.status).toBe(2);
    expect(probe.stderr).toMatch(/There is no media file at .*missing\.webm/);
  });
});
