// A 3-hour recording as the proctor's console meets it: made at the default bitrate, sent by the
// device's real uploader to a real PostgreSQL, and a headless host whose console is signed in as
// the exam's proctor. Shared by the console's end-to-end test and its seek benchmark.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createExam } from '../../../src-main/central/admin';
import { startHost, type RunningHost } from '../../../src-main/host/server';
import { defaultRendererDir } from '../../../src-main/host/renderer-dir';
import { registerBlob } from '../../../src-main/store/blob-uploads';
import { startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { createTestApp, type TestApp } from '../app';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../central';
import { makeLongRecording, type LongRecording } from '../media/long-recording';
import { makeTempDir } from '../temp-dir';

export interface LongRecordingConsole {
  central: CentralFixture;
  recording: LongRecording;
  app: TestApp;
  host: RunningHost;
  /** The URL the console page loads the recording from, as the contract hands it out. */
  blobUrl(): Promise<string>;
  close(): Promise<void>;
}

const ctx = { transport: 'host' as const, origin: 'test' };

export async function startLongRecordingConsole(): Promise<LongRecordingConsole> {
  const temp = makeTempDir('vigil-long-console-');
  const [central, recording] = await Promise.all([startCentral(), makeLongRecording(temp.dir)]);
  // A 3-hour exam: its storage quota (central 0520, from the exam's length) holds the recording.
  const examId = await createExam(central.owner.db, {
    title: 'Three-hour exam',
    type: 'SKL',
    difficulty: 5,
    keyQuestions: [{ question: 'Why?', time_limit_s: 3 * 3600 }],
  });
  const device = await enrollLocalDevice(central, {
    dir: path.join(temp.dir, 'device'),
    examId,
    label: 'long',
  });
  const sessionId = device.store.write('start', (tx) => startSession(tx, { examId }));
  device.store.write('register', (tx) =>
    registerBlob(tx, {
      id: randomUUID(),
      sessionId,
      kind: 'video',
      path: recording.file,
      sha256: recording.sha256,
      size: recording.size,
      contentType: 'video/webm',
      deleteAfterUpload: false,
    }),
  );
  const round = await new Uploader({
    store: device.store,
    channel: central.channel,
    token: device.token,
  }).syncOnce();
  if (round.blobs !== 1) throw new Error(`the recording did not go up: ${JSON.stringify(round)}`);
  await device.store.close();
  await central.createProctor('proctor_long', [examId]);

  const app = createTestApp('host', { VIGIL_CENTRAL_URL: central.pg.url, VIGIL_CENTRAL_SSL_MODE: 'disable' });
  const host = await startHost({
    app: app.app,
    rendererDir: defaultRendererDir(),
    logger: app.app.context.logger,
  });
  const signed = await app.app.dispatcher.dispatch(
    'consoleSignIn',
    { user: 'proctor_long', password: 'pw' },
    ctx,
  );
  if (!signed.ok) throw new Error(`console sign-in failed: ${signed.error.message}`);
  return {
    central,
    recording,
    app,
    host,
    blobUrl: async () => {
      const result = await app.app.dispatcher.dispatch('reviewBlob', { sha256: recording.sha256 }, ctx);
      if (!result.ok) throw new Error(`reviewBlob failed: ${result.error.message}`);
      return (result.value as { url: string }).url;
    },
    close: async () => {
      await host.close();
      await app.app.close();
      app.cleanup();
      await central.close();
      temp.cleanup();
    },
  };
}
