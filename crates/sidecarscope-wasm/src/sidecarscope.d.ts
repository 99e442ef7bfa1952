// ---- Sidecarscope: the types of every argument and result --------------------------------
// Hand-written to mirror the core's serde structures (crates/sidecarscope), which are also
// the CLI's `--output json`, and checked twice: crates/sidecarscope-wasm/tests/dts.rs compares
// every declaration with the Rust one (fields, `?`, `| null`, enum names, read with syn), and
// tests/wasm-package type-checks the real results of every conformance fixture against them
// (tsc --strict --exactOptionalPropertyTypes). Drift in either direction fails a test.
// Conventions: a field marked `?` is left out when empty/unset; `T | null` is always present.

// ---- Arguments -------------------------------------------------------------------------------

/** One input file: a name (shown in `file` of results) and its YAML or JSON text. */
export interface SourceText {
  name: string;
  text: string;
}

/**
 * The input: one text (named `input.yaml` in results), or several files in order. Multi-document
 * YAML, `kind: List` and JSON are accepted, as by the CLI.
 */
export type SourceInput = string | readonly SourceText[];

/** Proxy options shared by both ways of naming a proxy. */
export interface ProxyOptions {
  /** The proxy's instance IP (overrides a workload's `status.podIP` / `spec.address`). */
  ip?: string;
  /**
   * A dual-stack proxy's IPs, the primary first (istiod's `Proxy.IPAddresses`), instead of `ip`
   * (the CLI's `--ip` given twice).
   */
  ips?: string[];
  /** Proxy node metadata, e.g. `{ INTERCEPTION_MODE: "NONE" }` (added over a workload's). */
  metadata?: Record<string, string>;
  /**
   * istiod's feature flags (environment), e.g. `{ ENABLE_TLS_ON_SIDECAR_INGRESS: "true" }`.
   * Used by `listeners` and `trace`; `resolve` notes them but follows Istio's defaults.
   */
  istiodEnv?: Record<string, string>;
}

/** A workload of the input, by `namespace/name` (see `workloads()`); it brings its labels. */
export interface WorkloadProxySpec extends ProxyOptions {
  workload: string;
  namespace?: never;
  labels?: never;
}

/** A proxy that is not in the input: its namespace and workload labels. */
export interface NamespaceProxySpec extends ProxyOptions {
  namespace: string;
  labels?: Record<string, string>;
  workload?: never;
}

/** Whose configuration: the CLI's `--workload NS/NAME` or `--namespace NS --labels k=v,...`. */
export type ProxySpec = WorkloadProxySpec | NamespaceProxySpec;

/** A call to trace, with the CLI's defaults (`sidecarscope trace`). */
export interface CallSpec {
  /** Destination IP. Required for outbound calls; optional for inbound ones. */
  address?: string;
  /** Destination port, 0-65535 (for inbound calls: the port on the workload). */
  port: number;
  /** Default `TCP`. `TLS` means TCP over TLS. Case-insensitive, as in the CLI. */
  protocol?: "HTTP" | "HTTP2" | "TCP" | "TLS";
  /** Default `plaintext`, or `tls` for protocol `TLS` or when `sni` is given. */
  tls?: CallTls;
  /** The HTTP Host header (also the SNI of a TLS call without `sni`). */
  host?: string;
  /** The TLS server name. */
  sni?: string;
  /** Default `outbound` (the application calls out); `inbound`: a peer calls the workload. */
  direction?: CallDirection;
  /** The HTTP request path with any query string; default `/`. */
  path?: string;
  /** The HTTP request method; default `GET`. */
  method?: string;
  /** Request headers other than Host, name to value (names compare without case). */
  headers?: Record<string, string>;
  /** The ALPN a TLS client offers (TLS and mTLS calls only); default: the simulator's. */
  alpn?: string;
  /** mTLS calls only: `true` the client presents Istio's workload certificate, `false` another
   * one; unset: the certificate the matched chain asks for. */
  meshCert?: boolean;
}

// ---- Shared pieces ---------------------------------------------------------------------------

/** Any JSON value: settings copied from the input (connection pools, `egressProxy`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in Unicode scalar values. */
  column: number;
  /** Byte offset in the file's UTF-8 text. */
  offset: number;
  /** Offset in UTF-16 code units, as JavaScript strings (and editors) count. */
  utf16: number;
}

/** A half-open range `[start, end)` in one file. */
export interface Range {
  start: Position;
  end: Position;
}

/** Istio's protocol names, or `auto` (protocol sniffing). */
export type ProtocolName =
  | "TCP" | "UDP" | "GRPC" | "GRPC-Web" | "HTTP" | "HTTP_PROXY" | "HTTP2" | "HTTPS" | "TLS"
  | "Mongo" | "Redis" | "MySQL" | "auto";

export type WorkloadKind = "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "WorkloadEntry";

/** The proxy whose configuration was computed. */
export interface Proxy {
  namespace: string;
  labels: Record<string, string>;
  ip: string | null;
  /** A dual-stack proxy's other IPs. */
  additionalIps?: string[];
  metadata: Record<string, string>;
}

/** The Sidecar resource that applies. */
export interface SelectedSidecar {
  namespace: string;
  name: string;
  reason: string;
}

// ---- validate / analyze ----------------------------------------------------------------------

export type Severity = "error" | "warning" | "info";

/** The resource a diagnostic is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface Diagnostic {
  severity: Severity;
  /** The stable code, e.g. `SC1050` (list: `sidecarscope codes`, docs/diagnostics.md). */
  code: string;
  /** The code's kebab-case name, e.g. `egress-host-format`. */
  name: string;
  /** The code `istioctl analyze` reports for the same finding (`IST0106`...). */
  istioCode?: string;
  /** Kiali's validation code, when Kiali would report this instance (`KIA1004`...). */
  kialiCode?: string;
  /** Istio's (or Kiali's) exact text where the finding is theirs. */
  message: string;
  /** Our explanation or suggestion, beyond Istio's text. */
  hint?: string;
  resource: ResourceRef | null;
  /** Field path in the resource, e.g. `spec.egress[0].hosts[1]`; empty for a whole document. */
  path: string;
  file: string;
  range: Range;
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  /** Findings left out by suppressions (annotations, `suppress` rules); absent when none. */
  suppressed?: number;
}

/** What findings can be written as besides the report object (a string): the CLI's `--output`. */
export type FindingsFormat = "text" | "sarif" | "yaml" | "markdown";

/** What a resolution or a trace can be written as besides the object (a string). */
export type ProxyTextFormat = "text" | "yaml";

/** What listeners can be written as besides the object: `table` is `istioctl proxy-config listeners`. */
export type ListenersFormat = "table" | "yaml";

/** Options of `workloads`. */
export interface InputOptions {
  /**
   * The namespace of resources without `metadata.namespace`, as `kubectl apply -n` puts them
   * (the CLI's `--default-namespace`; `"default"` when omitted). A lowercase RFC 1123 label.
   */
  defaultNamespace?: string;
}

/** Options of `validate`. */
export interface ValidateOptions extends InputOptions {
  /** `json` (default): the report object; any other: the CLI's output in that format, a string. */
  format?: "json" | FindingsFormat;
}

/** Options of `resolve`, `listeners` and `trace`, with the output format `F` they offer. */
export interface ProxyRequestOptions<F extends string = ProxyTextFormat | ListenersFormat> extends InputOptions {
  /** `json` (default): the result object; any other: the CLI's output in that format, a string. */
  format?: "json" | F;
}

/** Options of `analyze`. */
export interface AnalyzeOptions {
  /** `json` (default): the report object; any other: the CLI's output in that format, a string. */
  format?: "json" | FindingsFormat;
  /**
   * istioctl analyze's `--suppress` rules: `CODE=Kind namespace/name`, `*` matching any run of
   * characters, the code an `IST`, `KIA` or `SC` code (e.g. `"IST0101=Sidecar default/*"`).
   * The resources' `galley.istio.io/analyze-suppress` and `kiali.io/ignore-validations`
   * annotations apply whatever the options.
   */
  suppress?: string[];
  /**
   * The namespace of resources without `metadata.namespace`, as `kubectl apply -n` puts them
   * (the CLI's `--default-namespace`; `"default"` when omitted). A lowercase RFC 1123 label.
   */
  defaultNamespace?: string;
}

/** `sidecarscope validate|analyze -o json`: diagnostics sorted by file and position. */
export interface DiagnosticsReport {
  diagnostics: Diagnostic[];
  summary: Summary;
}

// ---- workloads -------------------------------------------------------------------------------

/** A named container port (WorkloadEntry `spec.ports`). */
export interface NamedPort {
  name: string;
  number: number;
}

export interface Workload {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  labels: Record<string, string>;
  /** Pod `status.podIP` or WorkloadEntry `spec.address`, when given. */
  ip: string | null;
  /** Proxy metadata the workload implies (e.g. `INTERCEPTION_MODE` from an annotation). */
  metadata: Record<string, string>;
  ports?: NamedPort[];
  file: string;
  /** 1-based line of the resource (= `range.start.line`). */
  line: number;
  /** The whole resource in `file`. */
  range: Range;
}

// ---- resolve ---------------------------------------------------------------------------------

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export type SelectionKind = "workloadSelector" | "namespaceDefault" | "rootNamespace" | "none";

export interface Selection {
  kind: SelectionKind;
  /** One line saying why, in plain words. */
  reason: string;
}

export interface OutboundTrafficPolicy {
  /** `ALLOW_ANY`, `REGISTRY_ONLY` or `ALLOW_ANY_DYNAMIC_DNS`, as configured. */
  mode: string;
  /** The Sidecar's `egressProxy`, as JSON. */
  egressProxy?: JsonValue;
  source: string;
}

export type ServiceRegistry = "Kubernetes" | "ServiceEntry";

export interface PortInfo {
  number: number;
  protocol: ProtocolName;
  name: string;
}

/** A service as imported by one egress listener. */
export interface ImportedService {
  hostname: string;
  namespace: string;
  registry: ServiceRegistry;
  /** The `hosts` entry (as written) that imported it. */
  matchedBy: string;
  ports: PortInfo[];
}

/** A same-hostname service a listener matched but dropped for another namespace's. */
export interface ShadowedService {
  hostname: string;
  namespace: string;
  keptNamespace: string;
  reason: string;
}

/** A host entry that imported nothing. */
export interface UnusedHost {
  host: string;
  reason: string;
}

export interface EgressListener {
  /** `port.number`; `null` for the catch-all listener. */
  port: number | null;
  protocol: string | null;
  name: string | null;
  bind: string | null;
  /** `DEFAULT`, `IPTABLES` or `NONE`. */
  captureMode: string;
  hosts: string[];
  /** Synthesized by Istio (no Sidecar, or no `egress`): every host of every namespace. */
  implicit: boolean;
  /** Only services exposing this port are imported, trimmed to it. */
  portFilter: number | null;
  services: ImportedService[];
  /** `namespace/name` of the imported VirtualServices. */
  virtualServices: string[];
  shadowed?: ShadowedService[];
  unusedHosts?: UnusedHost[];
}

export interface InboundPort {
  /** The port traffic arrives on at the workload (the target port). */
  port: number;
  protocol: ProtocolName;
  name: string;
  bind: string | null;
  captureMode: string;
  defaultEndpoint: string | null;
  service: string | null;
  servicePort: number | null;
  source: string;
}

/** A service of the scope-wide set: what istiod builds outbound clusters for. */
export interface ScopeService {
  hostname: string;
  namespace: string;
  registry: ServiceRegistry;
  ports: PortInfo[];
  sources: string[];
}

export interface DestinationRuleChoice {
  host: string;
  /** `namespace/name` of the rule (the first one when several were merged). */
  rule: string;
  mergedFrom?: string[];
  subsets: string[];
  workloadSelector: boolean;
  reason: string;
}

export type PoolLevel =
  | "sidecarIngressPort" | "sidecarInbound" | "destinationRulePort" | "destinationRule" | "meshDefault" | "builtIn";

export interface PoolChoice {
  settings: JsonValue;
  level: PoolLevel;
  source: string;
}

/** `sidecarscope resolve -o json`: the effective configuration of one proxy, and why. */
export interface Resolution {
  /** Set when the proxy was given as `{ workload }`. */
  workload?: WorkloadRef;
  proxy: Proxy;
  /** `null` when Istio's default scope applies. */
  sidecar: SelectedSidecar | null;
  selection: Selection;
  rootNamespace: string;
  outboundTrafficPolicy: OutboundTrafficPolicy;
  egress: EgressListener[];
  ingress: InboundPort[];
  scopeServices: ScopeService[];
  destinationRules: DestinationRuleChoice[];
  /** By inbound port number (object keys are the numbers as strings). */
  inboundConnectionPool: Record<string, PoolChoice>;
  notes: string[];
}

// ---- listeners -------------------------------------------------------------------------------

/** A resource (and field of it) that produced a listener or chain, with its place in the input. */
export interface SourceRef {
  /** `Sidecar ns/name`, `Service ns/name`, `ConfigMap istio-system/istio`... */
  resource: string;
  /** The field, e.g. `spec.egress[0]`; empty for the whole resource. */
  path: string;
  file?: string;
  range?: Range;
}

/** Why a listener or filter chain exists. */
export interface Origin {
  reason: string;
  sources?: SourceRef[];
}

export interface ChainMatch {
  destinationPort?: number;
  /** `address/len`. */
  prefixRanges?: string[];
  serverNames?: string[];
  /** `tls` or `raw_buffer`. */
  transportProtocol?: string;
  applicationProtocols?: string[];
}

/** What a filter chain does with a connection. */
export type Action =
  | { kind: "rds"; routeConfig: string }
  | { kind: "inlineRoute"; virtualHost: string; route: string; prefix: string; cluster: string }
  | { kind: "tcpProxy"; cluster: string; protocolFilter?: string; replacedByFilter?: true };

export type ChainTls = "ISTIO_MUTUAL" | "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL";

export interface FilterChain {
  /** Istio's chain name; outbound service chains have none. */
  name?: string;
  match: ChainMatch;
  protocol: "HTTP" | "TCP";
  /** The RDS route config name or the cluster. */
  destination: string;
  action: Action;
  /** The listener's `default_filter_chain`. */
  default?: true;
  tls?: ChainTls;
  origin: Origin;
}

/** On which destination ports a listener filter runs. */
export type Ports = "all" | { allExcept: number[] } | { only: number[] };

export type ListenerFilterName =
  | "envoy.filters.listener.original_dst"
  | "envoy.filters.listener.original_src"
  | "envoy.filters.listener.tls_inspector"
  | "envoy.filters.listener.http_inspector";

export interface ListenerFilter {
  name: ListenerFilterName;
  ports: Ports;
}

export type Direction = "outbound" | "inbound" | "unspecified";

export interface Listener {
  name: string;
  /** The socket address, or the path of a Unix domain socket. */
  address: string;
  /** 0 for a Unix domain socket. */
  port: number;
  direction: Direction;
  bindToPort: boolean;
  destination?: string;
  defaultDestination?: string;
  filterChains: FilterChain[];
  listenerFilters?: ListenerFilter[];
  origin: Origin;
}

export interface VirtualHost {
  name: string;
  domains: string[];
  /** In Envoy's order: the first whose match fits the request wins. */
  routes: Route[];
  origin: Origin;
}

/** An Envoy route as istiod builds it from a VirtualService `http[]` entry or its own defaults. */
export interface Route {
  /** istiod's route name (`http[].name`, `.match[].name` appended; `default`, `allow_any`, `block_all`). */
  name: string;
  match: RouteMatch;
  action: RouteAction;
  /** `namespace/name` of the VirtualService. */
  virtualService?: string;
  /** Index of its `http[]` entry. */
  httpIndex?: number;
  timeout?: string;
  retries?: string;
  mirrors?: Mirror[];
  origin: Origin;
}

export interface Mirror {
  cluster: string;
  percent: string;
}

export type PathMatch = { prefix: string } | { exact: string } | { regex: string };

export type StringMatch = "present" | { exact: string } | { prefix: string } | { regex: string };

export interface HeaderMatch {
  /** Lowercase, or `:method`, `:authority`, `:scheme`. */
  name: string;
  value: StringMatch;
  invert?: true;
  treatMissingAsEmpty?: true;
}

export interface QueryParamMatch {
  name: string;
  value: StringMatch;
}

export interface RouteMatch {
  path: PathMatch;
  caseSensitive: boolean;
  headers?: HeaderMatch[];
  queryParams?: QueryParamMatch[];
}

export interface WeightedCluster {
  cluster: string;
  /** Absent for a single destination. */
  weight?: number;
}

export interface RegexRewrite {
  pattern: string;
  substitution: string;
}

export type RouteAction =
  | { kind: "route"; clusters: WeightedCluster[]; prefixRewrite?: string; regexRewrite?: RegexRewrite; hostRewrite?: string }
  | { kind: "redirect"; status: number; scheme?: string; host?: string; port?: number; path?: string; prefixRewrite?: string }
  | { kind: "directResponse"; status: number; body?: string }
  | { kind: "none" };

export interface RouteConfig {
  name: string;
  virtualHosts: VirtualHost[];
}

/** A listener or port istiod would have built but skips. */
export interface Skipped {
  name: string;
  reason: string;
  origin: Origin;
}

/** The istiod feature flags that change listeners, as applied. */
export interface IstiodEnv {
  enableTlsOnSidecarIngress: boolean;
  sidecarServiceInboundListenerMerge: boolean;
  headlessFilterChainListener: boolean;
  http10: boolean;
  mongoFilter: boolean;
  redisFilter: boolean;
  mysqlFilter: boolean;
}

/** `sidecarscope listeners -o json`: every listener Envoy would have for one proxy, and why. */
export interface ListenerSet {
  proxy: Proxy;
  sidecar: SelectedSidecar | null;
  interceptionMode: "REDIRECT" | "TPROXY" | "NONE";
  outboundTrafficPolicy: string;
  outboundTrafficPolicySource: string;
  inboundMtls: string;
  /** What istiod sends (LDS), in its order. */
  listeners: Listener[];
  /** The bootstrap's listeners (not from istiod). */
  staticListeners: Listener[];
  routes: RouteConfig[];
  skipped: Skipped[];
  istiodEnv: IstiodEnv;
  notes: string[];
}

// ---- trace -----------------------------------------------------------------------------------

export type CallTls = "plaintext" | "tls" | "mtls";
export type CallDirection = "outbound" | "inbound";

/** The call as traced (defaults applied; protocol `TLS` became `TCP` with `tls: "tls"`). */
export interface Call {
  address: string | null;
  port: number;
  protocol: "HTTP" | "HTTP2" | "TCP";
  tls: CallTls;
  host: string | null;
  sni: string | null;
  direction: CallDirection;
  path?: string;
  method?: string;
  headers?: Header[];
  alpn?: string;
  meshCert?: boolean;
}

export interface Header {
  name: string;
  value: string;
}

export type TraceError =
  | "no_listener" | "no_filter_chain" | "multiple_filter_chains" | "protocol_error" | "tls_error"
  | "mtls_error" | "no_virtual_host" | "no_route";

/** The route a request matched. */
export interface MatchedRoute {
  name: string;
  virtualService: string | null;
  httpIndex: number | null;
  match: RouteMatch;
  action: RouteAction;
  timeout: string | null;
  retries: string | null;
  mirrors: Mirror[];
  /** The YAML it comes from (`spec.http[i]`). */
  sources: SourceRef[];
}

export interface DirectResponse {
  status: number;
  body: string | null;
}

export interface Step {
  what: string;
  why: string;
}

/** `sidecarscope trace -o json`. */
export interface Trace {
  call: Call;
  listener: string | null;
  filterChain: string | null;
  filterChainIndex: number | null;
  routeConfig: string | null;
  virtualHost: string | null;
  /** The matched route's name (empty when the VirtualService names none). */
  route: string | null;
  matchedRoute: MatchedRoute | null;
  /** `null` for weighted clusters (see `matchedRoute.action`), a redirect or a direct response. */
  cluster: string | null;
  /** A route that answers by itself (`block_all`'s 502, a VirtualService `directResponse`). */
  directResponse: DirectResponse | null;
  error: TraceError | null;
  steps: Step[];
  /** The outcome in plain words. */
  summary: string;
}

// ---- Editor (complete, hover, definition, references, codeActions) --------------------------

/** A position in the input: the file's index in it (0 for a plain string) and a UTF-16 offset. */
export interface EditorPosition {
  source?: number;
  /** Offset in UTF-16 code units, as JavaScript strings, CodeMirror and Monaco count. */
  offset: number;
}

/** A range `[start, end]` of UTF-16 offsets in one file of the input. */
export interface EditorRange {
  source?: number;
  start: number;
  end: number;
}

export type CompletionKind = "field" | "enumValue" | "namespace" | "host" | "label" | "port";

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** One line: the field's documentation, the services behind a host, the workloads of a label. */
  detail: string;
  /** What replaces `EditorCompletions.range` (a field name ends with `: `). */
  insert: string;
  /** Markdown, for a field: what hover says of it, with the link to Istio's reference. */
  documentation?: string;
}

export interface EditorCompletions {
  /** The word at the position, which every item replaces. */
  range: Range;
  items: CompletionItem[];
}

export interface EditorHover {
  range: Range;
  /** Markdown: the field's documentation with a link to Istio's reference, and facts from the mesh. */
  markdown: string;
}

/** Where a definition or reference leads. */
export interface EditorLocation {
  /** `Service bookinfo/reviews (reviews.bookinfo.svc.cluster.local)`, `Deployment default/web`. */
  label: string;
  file: string;
  /** The file's index in the input. */
  source: number;
  range: Range;
}

export interface EditorEdit {
  file: string;
  source: number;
  range: Range;
  newText: string;
}

/** A quick fix: apply every edit (they do not overlap; offsets are those of the text as it is). */
export interface EditorFix {
  title: string;
  /** The finding it fixes, as `analyze` reports it. */
  diagnostic: Diagnostic;
  edits: EditorEdit[];
}

// ---- Impact (`impact()`, the CLI's `sidecarscope impact -o json`) ---------------------------

/** Options of `impact`. */
export interface ImpactOptions extends InputOptions {
  /** `json` (default): the report object; any other: the CLI's output in that format, a string. */
  format?: "json" | ImpactFormat;
  /** Only this workload (`namespace/name`), present on either side. */
  workload?: string;
  /** istiod's feature flags (environment), for both sides. */
  istiodEnv?: Record<string, string>;
  /** Observed calls (the formats `suggest` reads), traced on both sides too: a call whose
   * outcome changes is a flow with its `origin` (the CLI's `--traffic`). */
  traffic?: TrafficText[] | null;
}

/** What an impact report can be written as besides the object (a string). */
export type ImpactFormat = "text" | "markdown" | "sarif" | "yaml";

/** One side of a comparison. */
export type Side = "base" | "head";

/** How an item differs: only in head, only in base, in both but different. */
export type Change = "added" | "removed" | "changed";

/** Whether a workload is on both sides. */
export type Presence = "both" | "added" | "removed";

/**
 * What happened to a call: `broken` (worked, fails), `bypassed` (a mesh cluster, then
 * PassthroughCluster), `rerouted` (another cluster or VirtualService route), `captured`
 * (PassthroughCluster, then a mesh cluster), `repaired` (failed, works), `changed` (fails
 * differently). The first three are breaking.
 */
export type FlowKind = "broken" | "bypassed" | "rerouted" | "captured" | "repaired" | "changed";

/** The comparison. `problems` non-empty: a side did not load completely and nothing was compared. */
export interface ImpactReport {
  summary: ImpactSummary;
  problems: InputProblem[];
  /** The workloads with a change, by namespace, name and kind; breaking calls first in each. */
  workloads: WorkloadImpact[];
  findings: FindingChanges;
  /** What was read of `options.traffic`, when given. */
  traffic?: TrafficSummary;
}

/** The observed calls: per file its format and counts, the records that could not be read
 * (`SC0020`, `SC0021`: skipped, the rest counts), and the calls of no workload. */
export interface TrafficSummary {
  files: FileSummary[];
  problems: Problem[];
  unattributed: CallNote[];
}

export interface ImpactSummary {
  workloads: number;
  /** Workloads whose inputs changed, resolved and traced on both sides. */
  recomputed: number;
  changed: number;
  broken: number;
  bypassed: number;
  rerouted: number;
  captured: number;
  repaired: number;
  changedFailures: number;
  findingsAppeared: number;
  findingsDisappeared: number;
}

/** An error reading one side (its position is in that side's file). */
export interface InputProblem {
  side: Side;
  diagnostic: Diagnostic;
}

export interface WorkloadImpact {
  namespace: string;
  name: string;
  kind: string;
  presence: Presence;
  sidecar?: SidecarChange;
  outboundTrafficPolicy?: ValueChange;
  flows?: Flow[];
  imports?: ImportChange[];
  listeners?: ListenerChange[];
  virtualHosts?: VirtualHostChange[];
  clusters?: ClusterChange[];
  inboundPorts?: PortChange[];
}

/** The governing Sidecar on each side (`null`: none, Istio's default scope). */
export interface SidecarChange {
  base: string | null;
  head: string | null;
  contentChanged: boolean;
}

export interface ValueChange {
  base: string;
  head: string;
}

/** An imported `host:port` gained or lost, with the host entry that imports it on each side. */
export interface ImportChange {
  change: Change;
  host: string;
  port: number;
  namespace: string;
  protocol: string;
  baseEntry: string | null;
  headEntry: string | null;
}

/** A listener (istioctl's name) with its `MATCH -> DESTINATION` rows on each side. */
export interface ListenerChange {
  change: Change;
  name: string;
  base: string[];
  head: string[];
}

export interface VirtualHostChange {
  change: Change;
  routeConfig: string;
  name: string;
  routesRemoved?: string[];
  routesAdded?: string[];
}

export interface ClusterChange {
  change: Change;
  name: string;
}

export interface PortChange {
  change: Change;
  port: number;
  base: string | null;
  head: string | null;
}

/** A call whose outcome differs between the sides, with the YAML that caused it. */
export interface Flow {
  kind: FlowKind;
  /** The call in words, e.g. `HTTP reviews.prod.svc.cluster.local:9080 GET /`. */
  call: string;
  /** The call as `trace()` takes it. */
  request: Call;
  base: Outcome;
  head: Outcome;
  causes: Cause[];
  /** Where the call was observed (`file:line` of the evidence), for an observed call. */
  origin?: string;
}

export interface Outcome {
  works: boolean;
  summary: string;
  listener: string | null;
  destination: string | null;
  virtualServiceRoute: string | null;
  error: TraceError | null;
}

/** A place in one side's YAML that a change comes from. */
export interface Cause {
  side: Side;
  resource: string;
  path: string;
  file: string;
  range: Range;
}

/** Analysis findings of head that base does not have, and the reverse. */
export interface FindingChanges {
  appeared: Diagnostic[];
  disappeared: Diagnostic[];
}

// ---- Suggest (`suggest()`, the CLI's `sidecarscope suggest -o json`) ---------------------------

/** An observed-traffic file: its name (in the reasons and problems) and its text. The format is
 * recognised by content: a Prometheus `/api/v1/query` result (JSON) or text exposition of
 * `istio_requests_total` / `istio_tcp_connections_opened_total`, a Kiali graph (JSON), Envoy
 * access logs in Istio's default text or JSON format, a dependency list (YAML:
 * `namespace/workload: [host, host:port]`). */
export interface TrafficText {
  name: string;
  text: string;
}

/** Options of `suggest`. */
export interface SuggestOptions extends InputOptions {
  /** `json` (default): the report object; `yaml` (the Sidecars to apply, the rest as comments) or
   * `markdown` (a pull-request comment): a string. */
  format?: "json" | SuggestFormat;
  /** One Sidecar per namespace (default), per workload (`workloadSelector`), or the cheaper mix. */
  per?: Per;
  /** Only the Sidecar of this workload (`namespace/name`). */
  workload?: string;
  /** The `outboundTrafficPolicy.mode` to write (default: as the replaced Sidecar has it). */
  outboundTrafficPolicy?: "ALLOW_ANY" | "REGISTRY_ONLY";
  /** istiod's feature flags (environment). */
  istiodEnv?: Record<string, string>;
}

/** What a suggest report can be written as besides the object (a string). */
export type SuggestFormat = "yaml" | "markdown";

/** How workloads are grouped into Sidecars. */
export type Per = "workload" | "namespace" | "auto";

/** The evidence formats `suggest` recognises. */
export type Format = "prometheus-json" | "prometheus-text" | "kiali-graph" | "envoy-text" | "envoy-json" | "dependency-list";

/** The whole answer: the Sidecars offered (each proven), those refused and why, per workload the
 * reduction, and the evidence's problems. */
export interface SuggestReport {
  per: Per;
  evidence: FileSummary[];
  /** Records that could not be read (`SC0020`) and empty evidence files (`SC0021`): skipped. */
  problems: Problem[];
  suggestions: Suggestion[];
  refused: Refusal[];
  workloads: WorkloadReport[];
  /** Calls whose caller is no workload of the input. */
  unattributed: CallNote[];
  /** Every offered Sidecar, one YAML document each. */
  yaml: string;
}

/** What an evidence file held. */
export interface FileSummary {
  file: string;
  /** `null`: the format was not recognised (a problem says so). */
  format: Format | null;
  calls: number;
  problems: number;
}

/** An evidence record that could not be read, or an evidence file without any (1-based line and column). */
export interface Problem {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
}

/** A Sidecar offered. */
export interface Suggestion {
  namespace: string;
  name: string;
  /** `null`: the namespace's Sidecar. */
  workloadSelector: Record<string, string> | null;
  /** The Sidecar it replaces (`namespace/name (file:line)`). */
  replaces?: string;
  /** The workloads it governs (`namespace/name`). */
  workloads: string[];
  hosts: HostEntry[];
  outboundTrafficPolicy?: string;
  /** The Sidecar as YAML, every host with its reasons as comments. */
  yaml: string;
}

/** A host entry of a suggested Sidecar and why it is there. */
export interface HostEntry {
  host: string;
  reasons: Reason[];
}

/** Why a host entry is there: the evidence record or the YAML that needs it. */
export interface Reason {
  why: string;
  file: string;
  line: number;
}

/** A Sidecar not offered, and why (the calls it would change). */
export interface Refusal {
  sidecar: string;
  workloads: string[];
  reason: string;
  calls?: ChangedCall[];
}

/** A call that would change. */
export interface ChangedCall {
  workload: string;
  call: string;
  seen: string | null;
  before: Outcome;
  after: Outcome;
}

/** A call worth a note: its host and where it was seen (`file:line`). */
export interface CallNote {
  host: string;
  seen: string;
}

/** What the suggestion does for one workload. */
export interface WorkloadReport {
  workload: string;
  kind: string;
  /** The Sidecar that governs it now (`null`: none). */
  current: string | null;
  /** The suggested Sidecar that would govern it (`null`: none offered). */
  suggested: string | null;
  calls: number;
  traced: number;
  before: Counts;
  after?: Counts;
  /** Calls that only worked through `PassthroughCluster`: they break under `REGISTRY_ONLY`. */
  passthrough?: CallNote[];
  /** Calls to a service its proxy does not import now. */
  notImported?: CallNote[];
}

/** Counts from our own generation for one proxy. */
export interface Counts {
  importedServices: number;
  listeners: number;
  clusters: number;
  routes: number;
}

// ---- Functions -------------------------------------------------------------------------------
// Declared here (not generated) for their overloads: with `options.format` other than `json`,
// each returns the CLI's output in that format as a string.

/** The version of Sidecarscope, as `sidecarscope --version` prints it. */
export function version(): string;

/**
 * Validates every Sidecar as istiod's webhook and the CRD schema would (`sidecarscope validate
 * -o json`); diagnostics sorted by file and position.
 */
export function validate(input: SourceInput, options?: ValidateOptions & { format?: "json" }): DiagnosticsReport;
export function validate(input: SourceInput, options: ValidateOptions & { format: FindingsFormat }): string;

/**
 * The whole mesh analysis (`sidecarscope analyze -o json`): validation, istioctl analyze's and
 * Kiali's Sidecar checks, and Sidecarscope's own; suppressions applied (annotations, `suppress`).
 */
export function analyze(input: SourceInput, options?: AnalyzeOptions & { format?: "json" }): DiagnosticsReport;
export function analyze(input: SourceInput, options: AnalyzeOptions & { format: FindingsFormat }): string;

/** Every workload of the input, in input order, with its range: the proxies `{ workload }` names. */
export function workloads(input: SourceInput, options?: InputOptions): Workload[];

/** Which Sidecar governs the proxy and its effective configuration (`sidecarscope resolve -o json`). */
export function resolve(input: SourceInput, proxy: ProxySpec, options?: ProxyRequestOptions<never>): Resolution;
export function resolve(
  input: SourceInput,
  proxy: ProxySpec,
  options: ProxyRequestOptions<ProxyTextFormat> & { format: ProxyTextFormat },
): string;

/** The listeners istiod would send the proxy, with links into the input (`sidecarscope listeners -o json`). */
export function listeners(input: SourceInput, proxy: ProxySpec, options?: ProxyRequestOptions<never>): ListenerSet;
export function listeners(
  input: SourceInput,
  proxy: ProxySpec,
  options: ProxyRequestOptions<ListenersFormat> & { format: ListenersFormat },
): string;

/** Where one call goes: listener, filter chain, route, cluster (`sidecarscope trace -o json`). */
export function trace(input: SourceInput, proxy: ProxySpec, call: CallSpec, options?: ProxyRequestOptions<never>): Trace;
export function trace(
  input: SourceInput,
  proxy: ProxySpec,
  call: CallSpec,
  options: ProxyRequestOptions<ProxyTextFormat> & { format: ProxyTextFormat },
): string;

/** The completions at a position (schema fields and values, hosts the namespace can import, labels, ports). */
export function complete(input: SourceInput, position: EditorPosition, options?: InputOptions): EditorCompletions;

/** The documentation and mesh facts at a position, or `null`. */
export function hover(input: SourceInput, position: EditorPosition, options?: InputOptions): EditorHover | null;

/** A host entry's Services, ServiceEntries and VirtualServices; a Sidecar's governed workloads. */
export function definition(input: SourceInput, position: EditorPosition, options?: InputOptions): EditorLocation[];

/** The Sidecar host entries that import the Service (or ServiceEntry) at the position. */
export function references(input: SourceInput, position: EditorPosition, options?: InputOptions): EditorLocation[];

/** The quick fixes of the findings (of `analyze`) that touch a range. */
export function codeActions(input: SourceInput, range: EditorRange, options?: InputOptions): EditorFix[];

/**
 * Compares two versions of the mesh (`sidecarscope impact BASE HEAD -o json`): per workload, what
 * its proxy gains and loses and which calls break, with the YAML on each side that caused it.
 */
export function impact(base: SourceInput, head: SourceInput, options?: ImpactOptions & { format?: "json" }): ImpactReport;
export function impact(base: SourceInput, head: SourceInput, options: ImpactOptions & { format: ImpactFormat }): string;

/**
 * The tightest Sidecars for the workloads of `input` from observed `traffic` (`sidecarscope suggest
 * MESH --traffic FILE ...`), each proven not to change a single observed call. Throws when the mesh
 * does not load cleanly or an argument is invalid; evidence problems are in the report.
 */
export function suggest(input: SourceInput, traffic: TrafficText[] | null | undefined, options?: SuggestOptions & { format?: "json" }): SuggestReport;
export function suggest(input: SourceInput, traffic: TrafficText[] | null | undefined, options: SuggestOptions & { format: SuggestFormat }): string;
