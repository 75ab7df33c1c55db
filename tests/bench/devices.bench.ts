// Simulated devices syncing against one PostgreSQL server on this machine (tests/support/device-load.ts:
// the real device channel; each device sends a batch of session start + 20 chained events + a
// warning, one 32 KiB snapshot, and one recording in chunks a chunk-interval apart, as the default
// bitrate produces them). Three runs on one server, one after the other:
//   direct:  1,000 devices through one client pool of 40 connections straight to PostgreSQL (the
//            figure this benchmark always measured, re-measured here with the same workload);
//   pooled:  1,000 devices, each with its own connection, through PgBouncer (pool_mode = transaction);
//   pooled10k: 10,000 devices likewise: 10,000 client connections to PgBouncer on a server pool of
//            BENCH_POOL (default 20) PostgreSQL connections.
// Measures per-call latency (p50/p99; logins apart), errors, rows lost, PostgreSQL connections used
// (pg_stat_activity peak) and the load average (the machine is shared: it says how contended a run was).
import os from 'node:os';
import { openPostgres } from '../../src-main/central/connect';
import { sqlDeviceChannel } from '../../src-main/central/device-channel';
import { DEVICE_LOGIN, startCentral } from '../support/central';
import { enrollMany, runDeviceLoad, type DeviceLoadResult } from '../support/device-load';
import { writeBenchResult } from './support/result';

const SMALL = Number(process.env.BENCH_DEVICES ?? 1000);
const LARGE = Number(process.env.BENCH_DEVICES_LARGE ?? 10_000);
const POOL = Number(process.env.BENCH_POOL ?? 20);
const DIRECT_POOL = 40;
// Arrivals per second are what a pooler's logins cost (every login is a SCRAM exchange, and here one
// Node process does all 10,000 devices' client side on the same 2 cores as PgBouncer and
// PostgreSQL): 1,000 over 20 s and 10,000 over 240 s, ~50 and ~42 new devices a second. At 120 s
// (83/s) logins queued past the 5 s connect timeout on this machine.
const SMALL_WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 20_000);
const LARGE_WINDOW_MS = Number(process.env.BENCH_WINDOW_LARGE_MS ?? 240_000);
const CHUNKS = Number(process.env.BENCH_RECORDING_CHUNKS ?? 2);
const CHUNK_BYTES = Number(process.env.BENCH_CHUNK_BYTES ?? 128 * 1024);
// 1.064 Mbit/s ≈ 133 KB/s fills a 1 MiB chunk in ~8 s: the pace a device sends them at.
const CHUNK_INTERVAL_MS = Number(process.env.BENCH_CHUNK_INTERVAL_MS ?? 8_000);

const central = await startCentral({
  maxConnections: DIRECT_POOL + POOL + 30,
  devicePoolSize: DIRECT_POOL,
  pooler: { poolSize: POOL, maxClientConn: LARGE + 200 },
});
const results: Record<string, DeviceLoadResult & { loadAverage1mAtStart: number }> = {};
try {
  const pooledUrl = central.pooler!.urlFor(DEVICE_LOGIN);

  const direct = openPostgres({
    url: central.pg.urlFor(DEVICE_LOGIN),
    sslMode: 'disable',
    maxConnections: DIRECT_POOL,
  });
  const directChannel = sqlDeviceChannel(direct.query);
  const runs: { name: string; devices: number; windowMs: number; pooled: boolean }[] = [
    { name: 'direct', devices: SMALL, windowMs: SMALL_WINDOW_MS, pooled: false },
    { name: 'pooled', devices: SMALL, windowMs: SMALL_WINDOW_MS, pooled: true },
    { name: 'pooled10k', devices: LARGE, windowMs: LARGE_WINDOW_MS, pooled: true },
  ];
  for (const run of runs) {
    // Enrolled the way each run connects (codes redeemed through the pooler for the pooled runs).
    const tokens = await enrollMany(
      central,
      run.devices,
      run.name,
      run.pooled ? central.channel : directChannel,
    );
    const loadAverage1mAtStart = Number(os.loadavg()[0]!.toFixed(1));
    const result = await runDeviceLoad(central, tokens, {
      devices: run.devices,
      label: run.name,
      arrivalWindowMs: run.windowMs,
      recordingChunks: CHUNKS,
      chunkBytes: CHUNK_BYTES,
      chunkIntervalMs: CHUNK_INTERVAL_MS,
      ...(run.pooled ? { perDeviceConnection: { url: pooledUrl } } : { channel: directChannel }),
    });
    results[run.name] = { ...result, loadAverage1mAtStart };
    // The direct run's idle connections must not count as the pooled runs' server connections.
    if (!run.pooled) await direct.close();
    process.stdout.write(`${run.name}: ${JSON.stringify(results[run.name])}\n`);
  }
} finally {
  await central.close();
}

const figures: Record<string, number | string> = {
  loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
  pgbouncerPoolSize: POOL,
  directPoolConnections: DIRECT_POOL,
  recordingChunks: CHUNKS,
  chunkBytes: CHUNK_BYTES,
  chunkIntervalSeconds: CHUNK_INTERVAL_MS / 1000,
};
for (const [name, r] of Object.entries(results)) {
  const { firstError, ...numbers } = r;
  for (const [key, value] of Object.entries(numbers)) figures[`${name}.${key}`] = value;
  if (firstError) figures[`${name}.firstError`] = firstError;
}
figures['direct.arrivalWindowSeconds'] = SMALL_WINDOW_MS / 1000;
figures['pooled.arrivalWindowSeconds'] = SMALL_WINDOW_MS / 1000;
figures['pooled10k.arrivalWindowSeconds'] = LARGE_WINDOW_MS / 1000;
const big = results.pooled10k;
const clean = (r?: DeviceLoadResult) => r !== undefined && r.errors === 0 && r.lostRows === 0;
writeBenchResult({
  name: 'devices',
  figures,
  goals: {
    ingestP99: {
      target: 'p99 <= 200 ms (10,000 devices through PgBouncer)',
      met: (big?.ingestP99Ms ?? Infinity) <= 200,
    },
    zeroErrors: { target: '0 errors, 0 lost rows (every run)', met: Object.values(results).every(clean) },
    smallIngestP99: {
      target: 'p99 <= 200 ms (1,000 devices, direct and through PgBouncer)',
      met:
        (results.direct?.ingestP99Ms ?? Infinity) <= 200 && (results.pooled?.ingestP99Ms ?? Infinity) <= 200,
    },
  },
  notes:
    'Each device: one ingest call of 22 items (session start, 20 chained events, 1 warning), a 32 KiB snapshot ' +
    '(begin, chunk, finish) and a recording of recordingChunks chunks of chunkBytes, chunkIntervalSeconds apart ' +
    "(the 1 MiB-per-8 s pace of the default bitrate; chunks scaled down so 10,000 recordings fit one machine's " +
    'disk: the call rate is the real one, the byte volume is not). Pooled runs: every device its own connection to ' +
    'PgBouncer (pool_mode = transaction, auth_query); login latency is measured apart from ingest. ' +
    'peakDeviceBackends = PostgreSQL connections of the device login (pg_stat_activity, sampled every 250 ms). ' +
    'PostgreSQL, PgBouncer and all devices share this 2-core machine with other work (see the load averages).',
});
