/**
 * Scalar readers for Zeek log values.
 *
 * The TSV readers take `(text, start, end)` and read straight out of the
 * decoded chunk, so a number never costs a substring. They return a sentinel
 * (`NaN` or `-1`) instead of throwing: a bad value is a weird, not an error.
 *
 * @module
 */

import type { Proto } from '../../model.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A decimal number in `text[s, e)`: `-?digits(.digits)?`; `NaN` if it is not one.
 *
 * Same value as `Number()`: up to 2^53 of mantissa the digits are read as an
 * exact integer and divided once by an exact power of ten, and IEEE division
 * rounds correctly. Longer inputs or exponents take the slow path.
 */
export function parseDecimal(text: string, s: number, e: number): number {
  if (s >= e) return NaN;
  let i = s;
  let neg = false;
  if (text.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
      if (dot) frac++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return slowDecimal(text, s, e);
    }
  }
  if (digits === 0) return NaN;
  if (m > MAX_SAFE || frac > 22) return slowDecimal(text, s, e);
  const v = frac === 0 ? m : m / (POW10[frac] as number);
  return neg ? -v : v;
}

/** Exponents and very long mantissas: let `Number()` do it, but only on number characters. */
function slowDecimal(text: string, s: number, e: number): number {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    // digits . + - e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) return NaN;
  }
  const v = Number(text.slice(s, e));
  return Number.isFinite(v) ? v : NaN;
}

/** An unsigned integer (Zeek `count`, `port`) in `text[s, e)`; -1 if it is not one. */
export function parseCount(text: string, s: number, e: number): number {
  if (s >= e) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n > MAX_SAFE ? -1 : n;
}

/** Zeek's transport names, else the IP protocol number, else 0 (e.g. `unknown_transport`). */
export function parseProto(text: string, s: number, e: number): Proto {
  const n = e - s;
  if (n === 3) {
    if (text.startsWith('tcp', s)) return 'tcp';
    if (text.startsWith('udp', s)) return 'udp';
  } else if (n === 4 && text.startsWith('icmp', s)) {
    return 'icmp';
  }
  const v = parseCount(text, s, e);
  return v >= 0 && v <= 255 ? v : 0;
}

/**
 * An ISO 8601 time (`2018-03-24T17:15:20.600843Z`, as Zeek JSON writes with
 * `LogAscii::json_timestamps = JSON::TS_ISO8601`) as epoch seconds; `NaN` if bad.
 *
 * `Date.parse` keeps only milliseconds, so the fraction is added here, exactly
 * when it fits: seconds·10^k + fraction is an exact integer below 2^53.
 * A time without zone is read as UTC, not local time.
 */
export function parseIsoTime(s: string): number {
  if (s.length < 19 || s.charCodeAt(4) !== 45) return NaN;
  const dot = s.indexOf('.', 19);
  let whole = s;
  let f = 0;
  let k = 0;
  if (dot >= 0) {
    let j = dot + 1;
    while (j < s.length) {
      const d = s.charCodeAt(j) - 48;
      if (d < 0 || d > 9) break;
      if (k < 15) {
        f = f * 10 + d;
        k++;
      }
      j++;
    }
    whole = s.slice(0, dot) + s.slice(j);
  }
  if (whole.length === 19) whole += 'Z';
  const ms = Date.parse(whole);
  if (ms !== ms) return NaN;
  const sec = ms / 1000;
  if (k === 0) return sec;
  const p = POW10[k] as number;
  const m = sec * p + f;
  return Math.abs(m) <= MAX_SAFE && Number.isInteger(sec) ? m / p : sec + f / p;
}

/** Zeek `bool`: `T`/`F` in TSV, `true`/`false` in JSON. */
export function parseBool(v: unknown): boolean {
  return v === true || v === 'T' || v === 'true';
}

// Zeek writes bytes it will not print raw as \xHH; a run of them may be UTF-8.
const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function bytesToString(bytes: number[]): string {
  let high = false;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) high = true;
  if (high) {
    try {
      return UTF8_FATAL.decode(Uint8Array.from(bytes));
    } catch {
      // Not UTF-8 (binary labels in DNS tunnels): one char per byte, lossless.
    }
  }
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

/**
 * Undo Zeek's ASCII escaping: `\xHH` → that byte, `\\` → `\`. A run of
 * escaped bytes that is valid UTF-8 becomes those characters, else one
 * character per byte. Anything else after a backslash is kept as is.
 * Callers check for a backslash first; this is the slow path.
 */
export function unescapeZeek(s: string): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = s.slice(0, i);
  let run: number[] | null = null;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92 && i + 3 < n && s.charCodeAt(i + 1) === 120) {
      const hi = hexVal(s.charCodeAt(i + 2));
      const lo = hexVal(s.charCodeAt(i + 3));
      if (hi >= 0 && lo >= 0) {
        (run ??= []).push(hi * 16 + lo);
        i += 4;
        continue;
      }
    }
    if (run !== null) {
      out += bytesToString(run);
      run = null;
    }
    if (c === 92 && i + 1 < n && s.charCodeAt(i + 1) === 92) {
      out += '\\';
      i += 2;
      continue;
    }
    out += s[i] as string;
    i++;
  }
  if (run !== null) out += bytesToString(run);
  return out;
}

/** V8 keeps substrings of 13 chars or more as views of their parent (`SlicedString`). */
const SLICE_MIN = 13;

/**
 * A copy of `s` that does not keep the string it was sliced from alive.
 *
 * Field strings are cut from a whole decoded chunk (64 KiB or more); a record
 * kept in detector state would otherwise pin that chunk. Prepending one char
 * makes a cons string, and slicing it flattens that into a fresh string of
 * `s.length + 1`; the result only pins that.
 */
export function detach(s: string): string {
  return s.length < SLICE_MIN ? s : (' ' + s).slice(1);
}
