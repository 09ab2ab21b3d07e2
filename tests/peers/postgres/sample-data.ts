/** Rows worth restoring (text with quotes and newlines, NULLs, numerics, json, bytea, timestamps, a sequence) and a checksum over them. */
import type { PostgresPeer } from "./harness";

export const SAMPLE_TABLES = ["records", "samples", "notes"] as const;

export function seedSampleData(peer: PostgresPeer, database: string, rows = 2000): void {
    peer.psql("postgres", `create database ${database}`);
    peer.psql(
        database,
        `
    create table records (id bigserial primary key, name text not null, body text, score numeric(12,4), seen timestamptz, doc jsonb, raw bytea);
    insert into records (name, body, score, seen, doc, raw)
      select 'record-' || g,
             case when g % 7 = 0 then null else E'line one\\nit''s "quoted" ' || md5(g::text) || ' é' end,
             (g * 3.1416)::numeric(12,4),
             timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes',
             jsonb_build_object('g', g, 'even', g % 2 = 0, 'tags', jsonb_build_array('a', g::text)),
             decode(md5(g::text), 'hex')
      from generate_series(1, ${rows}) g;
    create index records_name on records (name);
    create table samples (record_id bigint references records(id), k text, v double precision, primary key (record_id, k));
    insert into samples select id, 'k' || (id % 5), id / 3.0 from records;
    create table notes (id serial primary key, note text);
    insert into notes (note) values ('first'), (null), (E'tab\\there');
    select setval('notes_id_seq', 1000);
    create view record_names as select id, name from records;
  `,
    );
}

/** count and md5 over every table's rows in a fixed order, plus the sequence positions. */
export function tableChecksums(peer: PostgresPeer, database: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const table of SAMPLE_TABLES) {
        out[table] = peer.psql(database, `select count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') from ${table} t`);
    }
    out.sequences = peer.psql(
        database,
        "select string_agg(sequencename || '=' || coalesce(last_value::text, 'null'), ',' order by sequencename) from pg_sequences",
    );
    return out;
}

export function databaseExists(peer: PostgresPeer, database: string): boolean {
    return peer.psql("postgres", `select count(*) from pg_database where datname = '${database}'`) === "1";
}
