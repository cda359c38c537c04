// Writes the Parquet fixtures of the readers' tests with DuckDB, an engine
// other than the one enrich reads with:
//
//	node readers/testdata/parquet/make.mjs
//
// Needs @duckdb/node-api (see duckdb.cjs for where it is looked for).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('./duckdb.cjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const out = (name) => path.join(here, name).replaceAll("'", "''");

const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
await conn.run("SET TimeZone = 'UTC'");

// Every common logical type, with a row of NULLs and a row of extremes.
await conn.run(`
CREATE TABLE types AS SELECT * FROM (VALUES
  (1, 'plain', -8::TINYINT, -16::SMALLINT, -32::INTEGER, -64::BIGINT, 200::UTINYINT, 18446744073709551615::UBIGINT,
   1.5::FLOAT, 0.1::DOUBLE, 12.50::DECIMAL(10,2), 12345678901234567890.1234567890::DECIMAL(38,10), -0.05::DECIMAL(4,2),
   true, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:00.123456', TIMESTAMPTZ '2024-02-29 13:45:00+00',
   TIMESTAMP_MS '2024-02-29 13:45:00.5', TIMESTAMP_NS '2024-02-29 13:45:00.123456789', TIME '13:45:00.25',
   '\\x00\\xFFbin'::BLOB, 'text as bytes'::BLOB, UUID '123e4567-e89b-12d3-a456-426614174000',
   [1, 2, NULL], {'a': 1, 'b': 'x "quoted"'}, MAP {'k1': 1, 'k2': NULL}, [{'n': 1, 'tags': ['p', 'q']}],
   '{"j": [1, 2]}'::JSON, 'sad'::ENUM('happy', 'sad'), INTERVAL '1 year 2 months 3 days 04:05:06.5'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL, NULL),
  (3, 'ünï “cödé” 🚀', 127::TINYINT, 32767::SMALLINT, 2147483647::INTEGER, (-9223372036854775807 - 1)::BIGINT, 0::UTINYINT, 0::UBIGINT,
   -0.0::FLOAT, 1e300::DOUBLE, -99999999.99::DECIMAL(10,2), 0::DECIMAL(38,10), 0.00::DECIMAL(4,2),
   false, DATE '1969-12-31', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMPTZ '2024-06-01 12:00:00+02',
   TIMESTAMP_MS '1970-01-01 00:00:00', TIMESTAMP_NS '2262-04-11 23:47:16', TIME '00:00:00',
   ''::BLOB, ''::BLOB, UUID '00000000-0000-0000-0000-000000000000',
   [], {'a': NULL, 'b': NULL}, MAP {}, [],
   'null'::JSON, 'happy'::ENUM('happy', 'sad'), INTERVAL '45 minutes')
) t(id, s, i8, i16, i32, i64, u8, u64, f32, f64, dec, dec38, dec_small, b, dt, ts, tstz, ts_ms, ts_ns, tm,
    bin, bin_text, uid, ints, obj, m, nested, js, mood, span)`);
await conn.run(`COPY types TO '${out('types.parquet')}' (FORMAT parquet, COMPRESSION zstd)`);

// Several row groups, for streaming and rewinding.
await conn.run(`COPY (SELECT i AS id, 'row ' || i AS title, i % 7 = 0 AS flag FROM range(1, 2501) r(i))
  TO '${out('groups.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000, COMPRESSION snappy)`);

// A schema and no rows.
await conn.run(`COPY (SELECT 1::INTEGER AS id, 'x' AS title LIMIT 0) TO '${out('empty.parquet')}' (FORMAT parquet)`);
conn.closeSync();
