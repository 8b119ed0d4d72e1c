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

export { analyze, Analysis, FlowReading, FORMATS, readFlows } from './analyze.js';
export type { AnalyzeOptions, AnalyzeStats, AnyRecord, Format, InputStats, ReadOptions, Source } from './analyze.js';
export { RecordReader } from './pipeline.js';
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
export type { RitaBeacon, RitaDataSizeScore, RitaDurationScore, RitaHistogramScore, RitaSkip, RitaTimestampScore } from './detect/beacon/rita.js';
export { Prevalence } from './correlate/prevalence.js';
export type { PrevalenceOptions } from './correlate/prevalence.js';
export { CidrSet, DEFAULT_LOCAL_NETS, DEFAULT_NON_PUBLIC } from './net/addr.js';
export type { Cidr } from './net/addr.js';
export { createSink, CsvSink, NdjsonSink, TableSink } from './sinks/index.js';
export type { FindingSink, SinkOutput, TableSinkOptions } from './sinks/index.js';
export { expandInputs } from './sources/files.js';
export type { InputFile, LogKind } from './sources/files.js';
export { PcapReader, forEachPacket, sniffCapture } from './decode/pcap/reader.js';
export type { CaptureFormat, CaptureInterface, PcapPacket, PcapReaderOptions, PcapReaderStats } from './decode/pcap/reader.js';
export { PacketDecoder } from './decode/packet/decoder.js';
export type { FrameRecord, PacketDecoderOptions, PacketDecoderStats } from './decode/packet/decoder.js';
export { DecodeStatus, Frag, newPacketInfo, TunnelType } from './decode/packet/types.js';
export type { DecodePacket, PacketInfo } from './decode/packet/types.js';
export { LinkType } from './decode/packet/constants.js';
export { FlowTable } from './flow/table.js';
export type { FlowTableOptions, FlowTableStats, FlowTimeouts } from './flow/table.js';
export { ZEEK_LIKELY_SERVER_PORTS, ZEEK_TIMEOUTS } from './flow/zeek.js';
export { PcapFlows } from './flow/pcap-flows.js';
export type { PcapFlowsOptions, PcapFlowsStats } from './flow/pcap-flows.js';
export { NetflowDecoder } from './decode/netflow/decoder.js';
export type { NetflowDecoderOptions, NetflowDecoderStats } from './decode/netflow/decoder.js';
export { dstAddr, NetflowRecord, srcAddr } from './decode/netflow/record.js';
export { isNetflowCapture, NetflowCaptureDecoder, sniffNetflow } from './decode/netflow/capture.js';
export type { NetflowCaptureDecoderOptions, NetflowCaptureStats } from './decode/netflow/capture.js';
export { NetflowFlows, tcpState } from './flow/netflow.js';
export type { NetflowFlowsOptions, NetflowFlowsStats } from './flow/netflow.js';
export { createCollector, parseListen } from './sources/collector.js';
export type { Collector, CollectorOptions, CollectorStats } from './sources/collector.js';
export { looksLikeNfcapd, looksLikeNfdumpCsv, nfdumpFlows, readNfdump } from './sources/nfdump.js';
export type { NfdumpOptions } from './sources/nfdump.js';
export { CONN_FIELDS, DNS_FIELDS, ZeekLogWriter } from './sinks/zeek-log.js';
export type { ZeekLogFormat, ZeekLogName } from './sinks/zeek-log.js';
