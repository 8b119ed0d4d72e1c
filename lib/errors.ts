/**
 * Every error c2watch throws, in one place, each with a stable `code`.
 *
 * Only unusable input throws (wrong magic, unsupported version, unknown
 * format, bad option). Survivable damage inside a stream is a {@link Weird}:
 * counted, reported, and the stream goes on.
 *
 * @module
 */

/** Stable error codes. Match on these, never on messages. */
export const ErrorCode = {
  /** Input is not in any format c2watch reads (or not the one asked for). */
  UnknownFormat: 'C2W_ERR_UNKNOWN_FORMAT',
  /** A binary input has a magic number we do not know. */
  BadMagic: 'C2W_ERR_BAD_MAGIC',
  /** A known format, but a version we do not read. */
  UnsupportedVersion: 'C2W_ERR_UNSUPPORTED_VERSION',
  /** An option has a value that cannot work. */
  InvalidOption: 'C2W_ERR_INVALID_OPTION',
  /** A path cannot be opened or read. */
  Source: 'C2W_ERR_SOURCE',
  /** An allowlist file or entry cannot be parsed. */
  Allowlist: 'C2W_ERR_ALLOWLIST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in the input an error or weird was found. */
export interface Position {
  /** File path, or a label such as `<stdin>` or `<buffer>`. */
  readonly file?: string;
  /** 1-based line number, for text inputs. */
  readonly line?: number;
  /** Byte offset from the start of the input, for binary inputs. */
  readonly offset?: number;
}

/** Base class of every error c2watch throws. */
export class C2WatchError extends Error {
  /** Stable code, e.g. `C2W_ERR_BAD_MAGIC`. */
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(message + formatPosition(where), options);
    this.name = new.target.name;
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.offset = where.offset;
  }
}

export class UnknownFormatError extends C2WatchError {
  constructor(message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(ErrorCode.UnknownFormat, message, where, options);
  }
}

export class BadMagicError extends C2WatchError {
  constructor(message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(ErrorCode.BadMagic, message, where, options);
  }
}

export class UnsupportedVersionError extends C2WatchError {
  constructor(message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(ErrorCode.UnsupportedVersion, message, where, options);
  }
}

export class InvalidOptionError extends C2WatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidOption, message, {}, options);
  }
}

export class SourceError extends C2WatchError {
  constructor(message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(ErrorCode.Source, message, where, options);
  }
}

export class AllowlistError extends C2WatchError {
  constructor(message: string, where: Position = {}, options?: { cause?: unknown }) {
    super(ErrorCode.Allowlist, message, where, options);
  }
}

function formatPosition(w: Position): string {
  if (w.file === undefined && w.line === undefined && w.offset === undefined) return '';
  let s = ' (';
  s += w.file ?? '<input>';
  if (w.line !== undefined) s += `:${w.line}`;
  if (w.offset !== undefined) s += ` @${w.offset}`;
  return s + ')';
}
