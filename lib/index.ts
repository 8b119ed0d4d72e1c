/**
 * c2watch: find command-and-control traffic from the network side.
 *
 * Data flows one way: sources → decode → flow → correlate → detect → sinks.
 * - {@link analyze} runs the whole pipeline over paths, buffers or streams.
 * - {@link Engine} is the synchronous push API for embedders with their own records.
 * - {@link ZeekDecoder} is the sans-IO Zeek log decoder.
 *
 * @module
 */

export { analyze, Analysis, FORMATS } from './analyze.js';
export type { AnalyzeOptions, AnalyzeStats, Format, Source } from './analyze.js';
export { Engine, RULE_NAMES, selectRules } from './engine.js';
export type { EngineOptions, EngineStats, FindingFilter, RuleName } from './engine.js';
export { newDns, newFlow, severityOf, UNKNOWN } from './model.js';
export type {
  DnsRecord,
  EvidenceValue,
  Finding,
  FlowRecord,
  NetRecord,
  Orientation,
  Proto,
  RecordSink,
  RecordSource,
  Severity,
} from './model.js';
export {
  AllowlistError,
  BadMagicError,
  C2WatchError,
  ErrorCode,
  InvalidOptionError,
  SourceError,
  UnknownFormatError,
  UnsupportedVersionError,
} from './errors.js';
export type { Position } from './errors.js';
export { WeirdCounter } from './weird.js';
export type { Weird, WeirdHandler } from './weird.js';
export { ZeekDecoder } from './decode/zeek/decoder.js';
export type { ZeekDecoderOptions, ZeekDecoderStats, ZeekLogKind } from './decode/zeek/decoder.js';
export { Allowlist } from './detect/allowlist.js';
export { Band, bandName, bandOf } from './detect/bands.js';
export { DEFAULT_MULTIBAND, SCORE_WEIGHTS } from './detect/multiband/features.js';
export type { MultibandOptions } from './detect/multiband/features.js';
export { Prevalence } from './correlate/prevalence.js';
export type { PrevalenceOptions } from './correlate/prevalence.js';
export { CidrSet, DEFAULT_LOCAL_NETS, DEFAULT_NON_PUBLIC } from './net/addr.js';
export type { Cidr } from './net/addr.js';
export { createSink, CsvSink, NdjsonSink, TableSink } from './sinks/index.js';
export type { FindingSink, SinkOutput, TableSinkOptions } from './sinks/index.js';
export { expandInputs } from './sources/files.js';
export type { InputFile } from './sources/files.js';
