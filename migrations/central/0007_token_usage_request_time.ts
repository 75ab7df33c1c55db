// Central PostgreSQL: a device's token usage keeps the time of the request. 0005 stamped each row
// with the time it arrived, so usage made offline landed in the month it was synced, and an
// explicit `"sessionId": null` was refused as if it named another device's session. Only the
// token_usage branch of vigil.ingest_item changes; it is derived from 0005's text so the rest of
// the function stays exactly as it was. A device clock ahead of the server cannot date a row in
// the future.
import { sql, type Kysely } from 'kysely';
import { INGEST_FUNCTIONS_0005 } from './0005_device_ingest_functions';

const ORIGINAL = INGEST_FUNCTIONS_0005.find((text) => text.startsWith('CREATE FUNCTION vigil.ingest_item('));

function replaceOnce(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`0007: expected one "${from}" in 0005's ingest_item`);
  return text.replace(from, to);
}

function ingestItem0007(): string {
  if (!ORIGINAL) throw new Error("0007: 0005's ingest_item not found");
  let text = replaceOnce(ORIGINAL, 'CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
  text = replaceOnce(
    text,
    `IF p ? 'sessionId' THEN s := vigil.device_session(d, (p->>'sessionId')::uuid); END IF;`,
    `IF p->>'sessionId' IS NOT NULL THEN s := vigil.device_session(d, (p->>'sessionId')::uuid); END IF;`,
  );
  text = replaceOnce(
    text,
    `total_tokens, request_type, cost)`,
    `total_tokens, request_type, cost, created_at)`,
  );
  text = replaceOnce(
    text,
    `coalesce((p->>'cost')::numeric, 0))`,
    `coalesce((p->>'cost')::numeric, 0), least(coalesce((p->>'createdAt')::timestamptz, now()), now()))`,
  );
  return text;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(ingestItem0007()).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!ORIGINAL) throw new Error("0007: 0005's ingest_item not found");
  await sql.raw(ORIGINAL.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
}
