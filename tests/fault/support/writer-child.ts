// Child process for the kill -9 test: writes sessions, events and warnings through the real local
// store as fast as it can and prints `ack <seq>` after each transaction commits. The test bundles
// this file to plain .mjs once, and starts the next child while the current one runs: the child
// loads, then waits for `go` on stdin before it touches the database.
import { randomUUID } from 'node:crypto';
import readline from 'node:readline';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore } from '../../../src-main/store/local-store';
import { recordWarning, startSession } from '../../../src-main/store/sessions';

const [file, sessionId] = process.argv.slice(2) as [string, string];
// The loop below never yields, so a closed stdin would go unnoticed: if the test process is gone
// (its worker ended before the kill), stop instead of writing into the RAM-backed folder forever.
const parent = process.ppid;
const orphaned = () => process.ppid !== parent;
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
const store = await openLocalStore(file, { migrate: false });
const exists = store.first(store.q.selectFrom('sessions').select('id').where('id', '=', sessionId));
if (!exists) store.write('start', (tx) => startSession(tx, { examId: randomUUID(), id: sessionId }));
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  // Mix small and large transactions so kills land inside multi-row commits too.
  const size = n % 7 === 0 ? 25 : 1;
  const last = store.write('events', (tx) => {
    let seq = 0;
    for (let i = 0; i < size; i++)
      seq = appendEvent(tx, { sessionId, kind: 'tick', data: { n, i, pad: 'x'.repeat(200) } }).seq;
    if (n % 5 === 0)
      recordWarning(tx, { sessionId, type: 'no_face', severity: 'low', startedAt: new Date().toISOString() });
    return seq;
  });
  process.stdout.write(`ack ${last}\n`);
  if (n % 100 === 0 && orphaned()) process.exit(2);
}
