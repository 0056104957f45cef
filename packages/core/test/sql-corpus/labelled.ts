/**
 * One labelled migration snippet. Scored as an expand script (after `SET lock_timeout`):
 * `contract` must get a contract finding, `locking` a locking finding and no contract one,
 * `safe` neither (and no error at all).
 */
export interface Labelled {
  sql: string;
  expect: "contract" | "locking" | "safe";
  note?: string;
}

export const contract = (sql: string, note?: string): Labelled => ({ sql, expect: "contract", note });
export const locking = (sql: string, note?: string): Labelled => ({ sql, expect: "locking", note });
export const safe = (sql: string, note?: string): Labelled => ({ sql, expect: "safe", note });
