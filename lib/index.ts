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
export { DEFAULT_RULES, Engine, RULE_NAMES, selectRules } from './engine.js';
export type { EngineOptions, EngineStats, FindingFilter, RuleName } from './engine.js';
export { newDns, newFlow, newName, severityOf, UNKNOWN } from './model.js';
export type {
  DnsRecord,
  EvidenceValue,
  Finding,
  FlowRecord,
  NameRecord,
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
export { DEFAULT_BEACON, RITA_DEFAULTS, RUN_PORTS } from './detect/beacon/options.js';
export type { BeaconMode, BeaconOptions } from './detect/beacon/options.js';
export { BEACON_WEIGHTS, normalizeServerName } from './detect/beacon/rule.js';
export { binomialUpperTail, mergeBursts, nullShare, periodicity } from './detect/beacon/periodicity.js';
export type { CheckIns, Periodicity } from './detect/beacon/periodicity.js';
export { ritaBeacon, threatScore as ritaThreatScore } from './detect/beacon/rita.js';
export type { RitaBeacon, RitaSkip } from './detect/beacon/rita.js';
export { Prevalence } from './correlate/prevalence.js';
export type { PrevalenceOptions } from './correlate/prevalence.js';
export { CidrSet, DEFAULT_LOCAL_NETS, DEFAULT_NON_PUBLIC } from './net/addr.js';
export type { Cidr } from './net/addr.js';
export { createSink, CsvSink, NdjsonSink, TableSink } from './sinks/index.js';
export type { FindingSink, SinkOutput, TableSinkOptions } from './sinks/index.js';
export { expandInputs } from './sources/files.js';
export type { InputFile, LogKind } from './sources/files.js';
