// Child process for the ledger kill -9 test: on an enrolled device, records token_usage rows through
// the real ledger (each committed with its outbox item, without an fsync of its own) and prints
// `ack <id>` after each record() returns.
import { Pricing } from '../../../src-main/evaluation/pricing';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { openLocalStore } from '../../../src-main/store/local-store';
import { saveEnrollment } from '../../../src-main/store/enrollments';

const [file] = process.argv.slice(2) as [string];
// If the test process is gone before its kill lands, stop rather than write forever.
const parent = process.ppid;
const db = await openLocalStore(file);
saveEnrollment(db, {
  deviceId: 'kill9-device',
  candidateId: 'kill9-candidate',
  examId: 'kill9-exam',
  tokenStorage: 'file',
  enrolledAt: new Date().toISOString(),
  expiresAt: null,
});
const ledger = new TokenLedger(db, new Pricing());
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const row = ledger.record({
    model: 'gpt-4o-mini',
    requestType: 'evaluation',
    status: 'ok',
    promptTokens: 1800,
    completionTokens: 350,
    sessionId: 'kill9-session',
    attempt: 1,
  });
  process.stdout.write(`ack ${row.id}\n`);
  // Let the event loop breathe so the parent's kill can land between and inside commits alike.
  if (n % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  if (n % 100 === 0 && process.ppid !== parent) process.exit(2);
}
