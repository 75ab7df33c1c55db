// Child process for the ledger kill -9 test: records token_usage rows through the real ledger (each
// committed without an fsync of its own) and prints `ack <id>` after each record() returns.
import { Pricing } from '../../../src-main/evaluation/pricing';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { openLocalDatabase } from '../../../src-main/interview/local-db';

const [file] = process.argv.slice(2) as [string];
const db = await openLocalDatabase(file);
const ledger = new TokenLedger(db.sqlite, new Pricing());
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
}
