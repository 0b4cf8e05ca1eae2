/**
 * Picks the PostgreSQL driver by measuring both candidates here, on the
 * operations the store does: creating runs (one row plus params, tags and
 * metric summaries, in one transaction each), inserting bytea metric blocks,
 * and the two reads (hydrating a search page, loading a metric history).
 * `npm run bench drivers`. Each figure is the fastest of several rounds,
 * alternating the drivers, so other processes on the machine only add time.
 */
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import postgres from 'postgres';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { encodeBlock } from '../src/metrics/block-codec';
import { freshDatabase, startCluster } from '../test/support/postgres-cluster';
import { makeSeries } from './baselines';
import { fmt, type Report } from './report';

const SCHEMA = `
CREATE TABLE runs (run_id text PRIMARY KEY, name text NOT NULL, start_time bigint NOT NULL);
CREATE TABLE params (run_id text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE tags (run_id text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE summaries (run_id text NOT NULL, key text NOT NULL, last_value float8, PRIMARY KEY (run_id, key));
CREATE TABLE blocks (run_id text NOT NULL, key text NOT NULL, seq int NOT NULL, n int NOT NULL, data bytea NOT NULL, PRIMARY KEY (run_id, key, seq));
`;
/** One run in one statement: the data-modifying CTEs run as one implicit transaction, one round trip. */
const CREATE_RUN = `WITH r AS (INSERT INTO runs VALUES ($1, $2, $3)),
  p AS (INSERT INTO params SELECT $1, * FROM unnest($4::text[], $5::text[])),
  t AS (INSERT INTO tags SELECT $1, * FROM unnest($6::text[], $7::text[]))
  INSERT INTO summaries SELECT $1, * FROM unnest($8::text[], $9::float8[])`;
const RUNS = 1000;
const POINTS = 1_000_000;
const BLOCK = 10_000;
const ROUNDS = 3;

interface RunShape { id: string; pk: string[]; pv: string[]; tk: string[]; tv: string[]; mk: string[]; mv: number[] }

function shapes(prefix: string): RunShape[] {
  return Array.from({ length: RUNS }, (_, i) => ({
    id: `${prefix}-${i}`,
    pk: Array.from({ length: 20 }, (_, p) => `param_${p}`), pv: Array.from({ length: 20 }, (_, p) => String(p * i)),
    tk: Array.from({ length: 5 }, (_, t) => `tag_${t}`), tv: Array.from({ length: 5 }, (_, t) => `v${t}`),
    mk: Array.from({ length: 10 }, (_, m) => `metric_${m}`), mv: Array.from({ length: 10 }, () => Math.random()),
  }));
}

function blocks(): Buffer[] {
  const s = makeSeries(POINTS);
  const out: Buffer[] = [];
  for (let i = 0; i < POINTS; i += BLOCK) {
    const enc = encodeBlock(s.steps.subarray(i, i + BLOCK), s.timestamps.subarray(i, i + BLOCK), s.values.subarray(i, i + BLOCK));
    out.push(Buffer.from(enc.buffer, enc.byteOffset, enc.byteLength));
  }
  return out;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** COPY ... FROM STDIN (FORMAT binary) rows of (text, text, int4, int4, bytea). */
function copyRows(runId: string, data: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const text = (s: string) => { const b = Buffer.from(s); const len = Buffer.alloc(4); len.writeInt32BE(b.length); return [len, b]; };
  const int = (n: number) => { const b = Buffer.alloc(8); b.writeInt32BE(4); b.writeInt32BE(n, 4); return b; };
  data.forEach((d, seq) => {
    const count = Buffer.alloc(2);
    count.writeInt16BE(5);
    const len = Buffer.alloc(4);
    len.writeInt32BE(d.length);
    parts.push(count, ...text(runId), ...text('loss'), int(seq), int(BLOCK), len, d);
  });
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

export async function driverChoice(report: Report): Promise<void> {
  // Over loopback TCP, as a team's server is reached (postgres.js cannot take a socket folder in a URI).
  const cluster = startCluster({ durable: true, port: 0 });
  try {
    const db = freshDatabase(cluster);
    const uri = cluster.tcpUri(db.name);
    const pg = new Client({ connectionString: uri });
    await pg.connect();
    const pj = postgres(uri, { max: 1, onnotice: () => {} });
    await pg.query(SCHEMA);
    const data = blocks();
    const best: Record<string, number> = {};
    const keep = (name: string, ms: number) => { best[name] = Math.min(best[name] ?? Infinity, ms); };

    for (let round = 0; round < ROUNDS; round++) {
      // 1. Runs: one transaction per run.
      const runsA = shapes(`pg${round}`);
      keep('pg: runs, one CTE statement each', await time(async () => {
        for (const r of runsA) await pg.query(CREATE_RUN, [r.id, r.id, Date.now(), r.pk, r.pv, r.tk, r.tv, r.mk, r.mv]);
      }));
      const runsP = shapes(`pgp${round}`);
      keep('pg: runs, one prepared CTE statement each', await time(async () => {
        for (const r of runsP) await pg.query({ name: 'create-run', text: CREATE_RUN, values: [r.id, r.id, Date.now(), r.pk, r.pv, r.tk, r.tv, r.mk, r.mv] });
      }));
      const runsB = shapes(`pgtx${round}`);
      keep('pg: runs, BEGIN + 4 statements + COMMIT', await time(async () => {
        for (const r of runsB) {
          await pg.query('BEGIN');
          await pg.query('INSERT INTO runs VALUES ($1, $2, $3)', [r.id, r.id, Date.now()]);
          await pg.query('INSERT INTO params SELECT $1, * FROM unnest($2::text[], $3::text[])', [r.id, r.pk, r.pv]);
          await pg.query('INSERT INTO tags SELECT $1, * FROM unnest($2::text[], $3::text[])', [r.id, r.tk, r.tv]);
          await pg.query('INSERT INTO summaries SELECT $1, * FROM unnest($2::text[], $3::float8[])', [r.id, r.mk, r.mv]);
          await pg.query('COMMIT');
        }
      }));
      const runsC = shapes(`pj${round}`);
      keep('postgres: runs, one CTE statement each', await time(async () => {
        for (const r of runsC) await pj.unsafe(CREATE_RUN, [r.id, r.id, Date.now(), r.pk, r.pv, r.tk, r.tv, r.mk, r.mv] as never[]);
      }));
      const runsD = shapes(`pjtx${round}`);
      keep('postgres: runs, sql.begin with 4 pipelined statements', await time(async () => {
        for (const r of runsD) {
          await pj.begin((sql) => [
            sql`INSERT INTO runs VALUES (${r.id}, ${r.id}, ${Date.now()})`,
            sql`INSERT INTO params SELECT ${r.id}, * FROM unnest(${r.pk}::text[], ${r.pv}::text[])`,
            sql`INSERT INTO tags SELECT ${r.id}, * FROM unnest(${r.tk}::text[], ${r.tv}::text[])`,
            sql`INSERT INTO summaries SELECT ${r.id}, * FROM unnest(${r.mk}::text[], ${r.mv}::float8[])`,
          ]);
        }
      }));

      // 2. Metric blocks: 100 blocks of 10k points, one transaction.
      keep('pg: 1M points, 100 bytea INSERTs', await time(async () => {
        await pg.query('BEGIN');
        for (let i = 0; i < data.length; i++) await pg.query('INSERT INTO blocks VALUES ($1, $2, $3, $4, $5)', [`pg${round}`, 'loss', i, BLOCK, data[i]]);
        await pg.query('COMMIT');
      }));
      keep('pg: 1M points, one multi-row INSERT (unnest bytea[])', await time(async () => {
        await pg.query('INSERT INTO blocks SELECT $1, $2, s, $3, d FROM unnest($4::int[], $5::bytea[]) AS u(s, d)',
          [`pgm${round}`, 'loss', BLOCK, data.map((_, i) => i), data]);
      }));
      keep('pg + pg-copy-streams: 1M points, COPY binary', await time(async () => {
        await pipeline(Readable.from([copyRows(`pgc${round}`, data)]), pg.query(copyFrom('COPY blocks FROM STDIN (FORMAT binary)')));
      }));
      keep('postgres: 1M points, 100 bytea INSERTs', await time(async () => {
        await pj.begin(async (sql) => {
          for (let i = 0; i < data.length; i++) await sql`INSERT INTO blocks VALUES (${`pj${round}`}, 'loss', ${i}, ${BLOCK}, ${data[i]})`;
        });
      }));
      keep('postgres: 1M points, COPY binary', await time(async () => {
        const stream = await pj`COPY blocks FROM STDIN (FORMAT binary)`.writable();
        await pipeline(Readable.from([copyRows(`pjc${round}`, data)]), stream);
      }));

      // 3. Reads: a search page of 100 hydrated runs; one 1M-point history.
      const page = `SELECT r.run_id, r.name, r.start_time,
          (SELECT json_object_agg(key, value) FROM params p WHERE p.run_id = r.run_id) AS params,
          (SELECT json_object_agg(key, value) FROM tags t WHERE t.run_id = r.run_id) AS tags,
          (SELECT json_object_agg(key, last_value) FROM summaries s WHERE s.run_id = r.run_id) AS metrics
        FROM runs r WHERE r.run_id LIKE $1 ORDER BY r.start_time DESC LIMIT 100`;
      keep('pg: search page (100 runs, json params/tags/metrics)', await time(() => pg.query(page, ['pg0-%'])));
      keep('postgres: search page (100 runs, json params/tags/metrics)', await time(() => pj.unsafe(page, ['pg0-%'])));
      const history = 'SELECT data FROM blocks WHERE run_id = $1 AND key = $2 ORDER BY seq';
      keep('pg: read 1M-point history (text bytea)', await time(() => pg.query(history, ['pg0', 'loss'])));
      keep('pg: read 1M-point history (binary result format)', await time(() => pg.query({ text: history, values: ['pg0', 'loss'], binary: true } as { text: string; values: string[] })));
      keep('postgres: read 1M-point history', await time(() => pj.unsafe(history, ['pg0', 'loss'])));
    }
    await pg.end();
    await pj.end();

    const rate = (name: string, n: number) => n / (best[name] / 1000);
    const pair = (label: string, unit: string, a: string, b: string, n: number | null) => {
      const [va, vb] = n === null ? [best[a], best[b]] : [rate(a, n), rate(b, n)];
      report.add({ name: `${label} — ${a}`, value: va, unit, baseline: { name: b, value: vb } });
    };
    for (const name of Object.keys(best)) console.log(`  ${name}: ${fmt(best[name])} ms`);
    pair('driver: create runs', 'runs/s', 'pg: runs, one CTE statement each', 'postgres: runs, sql.begin with 4 pipelined statements', RUNS);
    pair('driver: create runs', 'runs/s', 'pg: runs, one prepared CTE statement each', 'postgres: runs, one CTE statement each', RUNS);
    pair('driver: insert blocks', 'points/s', 'pg: 1M points, 100 bytea INSERTs', 'postgres: 1M points, 100 bytea INSERTs', POINTS);
    pair('driver: insert blocks', 'points/s', 'pg + pg-copy-streams: 1M points, COPY binary', 'pg: 1M points, 100 bytea INSERTs', POINTS);
    pair('driver: search page', 'ms', 'pg: search page (100 runs, json params/tags/metrics)', 'postgres: search page (100 runs, json params/tags/metrics)', null);
    pair('driver: history', 'ms', 'pg: read 1M-point history (binary result format)', 'postgres: read 1M-point history', null);
    db.drop();
  } finally {
    cluster.stop();
  }
}
