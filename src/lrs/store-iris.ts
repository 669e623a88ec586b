/**
 * The IRI dictionary (lrs_iri, migration 015): verb and Activity IRIs as small integers in the statement index
 * tables, so their btree entries are narrow and compare as integers. The dictionary only grows (an IRI is never
 * deleted nor renumbered), so a cached id stays right for the life of the process.
 */
import type { Db, Queryable } from '../db';

/** Sets `key` in a Map kept as a bounded cache: when it holds `max` entries, the oldest set goes first. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key); // set again, it becomes the newest (a Map iterates in insertion order)
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export class IriIds {
  private readonly cache = new Map<string, number>();

  /** `max`: ids kept in memory (oldest first out; ~15 MB at most); a miss costs one lookup. */
  constructor(private readonly db: Db, private readonly max = 100_000) {}

  /**
   * The id of every IRI given, adding the new ones to the dictionary. Without `q` they are committed at once (each
   * statement on its own) and cached. With `q`, the caller's transaction, they are added in it, so they vanish if it
   * rolls back: then they are not cached, and the next caller looks them up again.
   */
  async ids(iris: Iterable<string>, q?: Queryable): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing = new Set<string>();
    for (const iri of iris) {
      const id = this.cache.get(iri);
      if (id === undefined) missing.add(iri);
      else out.set(iri, id);
    }
    if (missing.size === 0) return out;
    const list = [...missing];
    const on = q ?? this.db;
    // In IRI order, so two writers adding overlapping sets wait for each other in one order, never in a cycle. A row
    // another writer is adding makes this one wait for it, then skip; the second statement (a new snapshot) reads it.
    const { rows: added } = await on.query<{ id: number; iri: string }>(
      `INSERT INTO lrs_iri (iri) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (iri) DO NOTHING RETURNING id, iri`, [list]);
    const found = new Map(added.map((r) => [r.iri, r.id]));
    const rest = list.filter((iri) => !found.has(iri));
    if (rest.length) {
      const { rows } = await on.query<{ id: number; iri: string }>(`SELECT id, iri FROM lrs_iri WHERE iri = ANY($1::text[])`, [rest]);
      for (const r of rows) found.set(r.iri, r.id);
    }
    for (const iri of list) {
      const id = found.get(iri);
      if (id === undefined) throw new Error(`The IRI dictionary has no id for ${iri}.`);
      out.set(iri, id);
      if (!q) setBounded(this.cache, iri, id, this.max);
    }
    return out;
  }
}
