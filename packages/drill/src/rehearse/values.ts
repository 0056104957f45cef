import type { PGlite } from "@electric-sql/pglite";

// Parameter values shaped like their types, as text (the extended protocol's text format), and
// the catalog facts they come from. Two profiles: `wide` fills what the schema after expand
// allows (a varchar(n) gets n characters, a bigint a value past integer's range) so that a
// narrowed type is caught; `plain` (1, 'x') is tried when a wide value already fails after
// expand (a CHECK, an arithmetic overflow), so that the statement is not written off as noise.

export type Profile = "wide" | "plain";

interface TypeInfo {
  oid: number;
  typtype: string;
  category: string;
  elem: number;
  base: number;
  baseTypmod: number;
  labels: string[] | null;
  name: string;
}

export interface Column {
  name: string;
  type: number;
  typmod: number;
  generated: boolean;
  identity: boolean;
}

export interface Table {
  oid: number;
  /** `"schema"."name"` as regclass prints it. */
  sql: string;
  kind: string;
  columns: Column[];
  /** Tables its foreign keys reference. */
  parents: number[];
}

const FIXED: Record<number, { wide: string; plain: string }> = {
  16: { wide: "t", plain: "t" },
  17: { wide: "\\x00", plain: "\\x00" },
  18: { wide: "x", plain: "x" },
  19: { wide: "x", plain: "x" },
  20: { wide: "2147483648", plain: "1" },
  21: { wide: "1", plain: "1" },
  23: { wide: "32768", plain: "1" },
  25: { wide: "rehearsal", plain: "x" },
  26: { wide: "1", plain: "1" },
  114: { wide: "{}", plain: "{}" },
  142: { wide: "<x/>", plain: "<x/>" },
  700: { wide: "1.5", plain: "1" },
  701: { wide: "1.5", plain: "1" },
  790: { wide: "1", plain: "1" },
  1042: { wide: "x", plain: "x" },
  1043: { wide: "rehearsal", plain: "x" },
  1082: { wide: "2024-01-02", plain: "2024-01-02" },
  1083: { wide: "03:04:05", plain: "03:04:05" },
  1114: { wide: "2024-01-02 03:04:05", plain: "2024-01-02 03:04:05" },
  1184: { wide: "2024-01-02 03:04:05+00", plain: "2024-01-02 03:04:05+00" },
  1186: { wide: "1 day", plain: "1 day" },
  1266: { wide: "03:04:05+00", plain: "03:04:05+00" },
  1560: { wide: "1", plain: "1" },
  1562: { wide: "1", plain: "1" },
  1700: { wide: "1.5", plain: "1" },
  2950: { wide: "00000000-0000-4000-8000-000000000001", plain: "00000000-0000-4000-8000-000000000001" },
  3802: { wide: "{}", plain: "{}" },
  869: { wide: "192.0.2.1", plain: "192.0.2.1" },
  650: { wide: "192.0.2.0/24", plain: "192.0.2.0/24" },
  829: { wide: "08:00:2b:01:02:03", plain: "08:00:2b:01:02:03" },
  3614: { wide: "x", plain: "x" },
  3615: { wide: "x", plain: "x" },
  600: { wide: "(1,2)", plain: "(1,2)" },
};
const BY_CATEGORY: Record<string, string> = {
  N: "1",
  S: "x",
  B: "t",
  D: "2024-01-02",
  T: "1 day",
  I: "192.0.2.1",
  R: "[1,2)",
};
const CANDIDATES = [
  "1",
  "x",
  "{}",
  "t",
  "()",
  "",
  "2024-01-02",
  "[1,2)",
  "(1,2)",
  "00000000-0000-4000-8000-000000000001",
];

function quoteArrayElement(v: string): string {
  return `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The catalog as one phase of a rehearsal sees it, with caches (a phase never changes the schema). */
export class Catalog {
  private readonly types = new Map<number, TypeInfo>();
  private readonly tables = new Map<string, Table | null>();
  private readonly tablesByOid = new Map<number, Table>();
  private readonly values = new Map<string, string | null>();

  constructor(
    private readonly db: PGlite,
    /** Enum labels to prefer (by type name and label): the ones the contract removes. */
    private readonly preferLabel: (typeName: string, label: string) => boolean = () => false,
  ) {}

  async type(oid: number): Promise<TypeInfo | null> {
    const cached = this.types.get(oid);
    if (cached) return cached;
    const { rows } = await this.db.query<{
      typtype: string;
      typcategory: string;
      typelem: number;
      typbasetype: number;
      typtypmod: number;
      typname: string;
      labels: string[] | null;
    }>(
      `SELECT t.typtype, t.typcategory, t.typelem::int AS typelem, t.typbasetype::int AS typbasetype, t.typtypmod, t.typname,
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
         FROM pg_type t WHERE t.oid = $1`,
      [oid],
    );
    const r = rows[0];
    if (!r) return null;
    const info: TypeInfo = {
      oid,
      typtype: r.typtype,
      category: r.typcategory,
      elem: r.typelem,
      base: r.typbasetype,
      baseTypmod: r.typtypmod,
      labels: r.labels,
      name: r.typname,
    };
    this.types.set(oid, info);
    return info;
  }

  /** A table (or view) by its name as a statement wrote it, resolved with the search path. */
  async table(schema: string | null, name: string): Promise<Table | null> {
    const key = `${schema ?? ""}.${name}`;
    if (this.tables.has(key)) return this.tables.get(key)!;
    const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const { rows } = await this.db.query<{ oid: number | null }>("SELECT to_regclass($1)::oid::int AS oid", [
      schema ? `${q(schema)}.${q(name)}` : q(name),
    ]);
    const oid = rows[0]?.oid;
    const table = oid ? await this.tableByOid(oid) : null;
    this.tables.set(key, table);
    return table;
  }

  async tableByOid(oid: number): Promise<Table> {
    const cached = this.tablesByOid.get(oid);
    if (cached) return cached;
    const rel = await this.db.query<{ sql: string; relkind: string; parents: number[] | null }>(
      `SELECT c.oid::regclass::text AS sql, c.relkind,
              (SELECT array_agg(DISTINCT f.confrelid::int) FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f') AS parents
         FROM pg_class c WHERE c.oid = $1`,
      [oid],
    );
    const cols = await this.db.query<{
      attname: string;
      atttypid: number;
      atttypmod: number;
      attgenerated: string;
      attidentity: string;
    }>(
      `SELECT attname, atttypid::int AS atttypid, atttypmod, attgenerated, attidentity FROM pg_attribute
        WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [oid],
    );
    const table: Table = {
      oid,
      sql: rel.rows[0]?.sql ?? String(oid),
      kind: rel.rows[0]?.relkind ?? "r",
      parents: (rel.rows[0]?.parents ?? []).filter((p) => p !== oid),
      columns: cols.rows.map((c) => ({
        name: c.attname,
        type: c.atttypid,
        typmod: c.atttypmod,
        generated: c.attgenerated !== "",
        identity: c.attidentity !== "",
      })),
    };
    this.tablesByOid.set(oid, table);
    return table;
  }

  /** A value of the type (and typmod) PostgreSQL accepts, or null when none of the shapes is. */
  async value(oid: number, typmod: number, profile: Profile): Promise<string | null> {
    const key = `${oid}:${typmod}:${profile}`;
    if (this.values.has(key)) return this.values.get(key)!;
    const value = await this.shape(oid, typmod, profile, 0);
    this.values.set(key, value);
    return value;
  }

  private async shape(oid: number, typmod: number, profile: Profile, depth: number): Promise<string | null> {
    const info = await this.type(oid);
    if (!info || depth > 4) return null;
    const candidates: string[] = [];
    if (info.typtype === "e" && info.labels?.length) {
      candidates.push(...info.labels.filter((l) => this.preferLabel(info.name, l)), ...info.labels);
    } else if (info.typtype === "d") {
      const base = await this.shape(info.base, info.baseTypmod, profile, depth + 1);
      if (base !== null) candidates.push(base);
      if (profile === "wide") {
        const plain = await this.shape(info.base, info.baseTypmod, "plain", depth + 1);
        if (plain !== null) candidates.push(plain);
      }
    } else if (info.category === "A" && info.elem) {
      const elem = await this.shape(info.elem, typmod, profile, depth + 1);
      if (elem !== null) candidates.push(`{${quoteArrayElement(elem)}}`);
      candidates.push("{}");
    } else {
      const fixed = FIXED[oid];
      if ((oid === 1043 || oid === 1042) && typmod > 4 && profile === "wide") candidates.push("r".repeat(typmod - 4));
      else if ((oid === 1560 || oid === 1562) && typmod > 0) candidates.push("1".repeat(typmod));
      else if (oid === 1700 && typmod > 4 && profile === "wide") {
        // numeric(p, s): the widest value it holds, so that a narrowed precision is found.
        const precision = ((typmod - 4) >> 16) & 0xffff;
        const scale = (typmod - 4) & 0xffff;
        const whole = "9".repeat(Math.max(precision - scale, 0)) || "0";
        candidates.push(scale > 0 ? `${whole}.${"9".repeat(scale)}` : whole);
      }
      if (fixed) candidates.push(fixed[profile]);
      const byCategory = BY_CATEGORY[info.category];
      if (byCategory) candidates.push(byCategory);
    }
    candidates.push(...CANDIDATES);
    for (const candidate of candidates) if (await this.accepts(candidate, oid, typmod)) return candidate;
    return null;
  }

  private async accepts(value: string, oid: number, typmod: number): Promise<boolean> {
    try {
      await this.db.query(`SELECT $1::text::${await this.typeSql(oid, typmod)}`, [value]);
      return true;
    } catch {
      return false;
    }
  }

  private async typeSql(oid: number, typmod: number): Promise<string> {
    const { rows } = await this.db.query<{ t: string }>("SELECT format_type($1, $2) AS t", [
      oid,
      typmod < 0 ? null : typmod,
    ]);
    return rows[0]!.t;
  }
}
