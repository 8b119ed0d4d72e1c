/**
 * Templates and their compiled field plans.
 *
 * A template is compiled once, when it arrives, into a flat plan in an
 * `Int32Array`, so decoding a data record is one loop over the plan with
 * DataView reads and no lookups:
 *
 * - fixed-length template (no variable-length field): the plan holds only
 *   the fields we read, as `(slot, kind, offset, length)` quadruples
 *   (slots and kinds: ./elements.ts); skipped fields cost nothing per
 *   record, and the record length is known;
 * - variable-length template (RFC 7011 §7): the plan holds every field as
 *   `(slot, kind, 0, length)`, slot -1 for skipped fields and length 65535
 *   meaning "read the length prefix"; `recordLength` is the shortest
 *   possible record (1 byte per variable-length field), which also bounds
 *   the number of records a set can hold.
 *
 * A template whose shortest record is 0 bytes is refused by the decoder:
 * it would describe an endless run of empty records.
 *
 * @module
 */

import { Op, opOf, REVERSE_PEN, reverseOpOf, slotOf, VARLEN } from './elements.js';

/** One field specifier as it arrived (RFC 3954 §5.2, RFC 7011 §3.2). */
export interface FieldSpec {
  readonly id: number;
  readonly length: number;
  /** Private enterprise number; 0 for IANA elements and NetFlow v9 fields. */
  readonly enterprise: number;
}

/** A compiled template or options template. */
export interface Template {
  /** `domain · 65536 + id`: the key within one exporter. */
  readonly key: number;
  readonly domain: number;
  readonly id: number;
  /** An options template: its data records carry exporter metadata (sampling, system init time). */
  readonly options: boolean;
  readonly fixed: boolean;
  /** Fixed: the record length. Variable: the shortest record. */
  readonly recordLength: number;
  /** See the module comment. */
  readonly plan: Int32Array;
  /** Field specifiers, for change detection on refresh. */
  readonly sig: string;
  readonly fieldCount: number;
  /** Enterprise-specific elements that are skipped (not RFC 5103 reverse elements we read). */
  readonly enterpriseSkipped: number;
  /** The exporter this template belongs to (opaque to this module). */
  readonly owner: unknown;
}

/**
 * Compile field specifiers into a template.
 * @param scopeCount leading scope fields of an options template.
 * @param v9Scope true for NetFlow v9 options templates, whose scope field types
 *   (1 System, 2 Interface, …; RFC 3954 §6.1) are not information elements and are skipped.
 */
export function compileTemplate(
  owner: unknown,
  domain: number,
  id: number,
  options: boolean,
  fields: readonly FieldSpec[],
  scopeCount: number,
  v9Scope: boolean,
): Template {
  let fixed = true;
  let minLen = 0;
  let enterpriseSkipped = 0;
  const ops: number[] = [];
  let sig = options ? 'o' : 'd';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    sig += `,${f.enterprise}.${f.id}.${f.length}`;
    let op: Op;
    if (v9Scope && i < scopeCount) op = Op.Skip;
    else if (f.enterprise === 0) op = opOf(f.id, f.length);
    else if (f.enterprise === REVERSE_PEN) op = reverseOpOf(f.id);
    else op = Op.Skip;
    if (f.enterprise !== 0 && op === Op.Skip) enterpriseSkipped++;
    if (f.length === VARLEN) {
      fixed = false;
      minLen += 1;
      // Variable-length values are never numbers we read (addresses and counters have fixed sizes).
      op = Op.Skip;
    } else {
      minLen += f.length;
    }
    ops.push(op);
  }
  const plan: number[] = [];
  let off = 0;
  for (let i = 0; i < fields.length; i++) {
    const len = fields[i]!.length;
    const op = ops[i]!;
    const { slot, kind } = op === Op.Skip || len === 0 ? { slot: -1, kind: 0 } : slotOf(op as Op, len);
    if (!fixed) plan.push(slot, kind, 0, len);
    else if (slot >= 0) plan.push(slot, kind, off, len);
    off += len;
  }
  return {
    key: domain * 65536 + id,
    domain,
    id,
    options,
    fixed,
    recordLength: minLen,
    plan: Int32Array.from(plan),
    sig,
    fieldCount: fields.length,
    enterpriseSkipped,
    owner,
  };
}
