import type { IncomingHttpHeaders } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Config } from '../config';
import type { Logger } from './logger';

/** The longest SQL text a span keeps (`db.query.text`); statements carry `$n` placeholders, never values. */
const MAX_STATEMENT = 2000;

/**
 * OpenTelemetry tracing, off by default and on with the standard variables: OTEL_TRACES_EXPORTER=otlp,
 * or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); never with
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Spans go over OTLP/HTTP (JSON) in batches:
 * one per HTTP GraphQL operation (`query Name`, continuing the caller's W3C `traceparent`), a child per
 * SQL statement it ran, and a child per resolver that took at least TRACE_RESOLVER_MS (on the
 * graphql-js executor: mutations and a document's first run; queries compiled by graphql-jit report
 * their operation and SQL). A provider per server, flushed when it stops.
 */
export class Tracing {
  private constructor(
    readonly tracer: Tracer,
    private readonly provider: TracerProvider,
    readonly resolverThresholdMs: number,
  ) {}

  private static readonly propagator = new W3CTraceContextPropagator();

  /** The tracing of this configuration, or null when it is off. */
  static start(config: Config, log: Logger): Tracing | null {
    const exporter = (config.OTEL_TRACES_EXPORTER ?? '').toLowerCase();
    const endpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      : config.OTEL_EXPORTER_OTLP_ENDPOINT
        ? `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`
        : undefined;
    if (config.OTEL_SDK_DISABLED || exporter === 'none' || (exporter !== 'otlp' && !endpoint)) return null;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(endpoint ? { url: endpoint } : {}) })],
    });
    log.info({ endpoint: endpoint ?? 'the OTLP default', service: config.OTEL_SERVICE_NAME }, 'tracing on');
    return new Tracing(provider.getTracer('townsquare'), provider, config.TRACE_RESOLVER_MS);
  }

  /** Starts an HTTP operation's span, under the caller's `traceparent` when it sends one. */
  startOperation(headers: IncomingHttpHeaders | Map<string, string>): Span {
    const carrier = headers instanceof Map ? Object.fromEntries(headers) : headers;
    const parent = Tracing.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    return this.tracer.startSpan('graphql', { kind: SpanKind.SERVER }, parent);
  }

  /** Records a finished child of `parent` that started `ms` ago (a SQL statement, a slow resolver). */
  child(parent: Span, name: string, ms: number, attributes: Record<string, string | number>): void {
    const end = performance.timeOrigin + performance.now();
    const span = this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, startTime: end - ms, attributes },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    span.end(end);
  }

  /** Records a SQL statement of the operation `parent` (its text cut at MAX_STATEMENT characters). */
  statement(parent: Span, text: string, ms: number): void {
    const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
    this.child(parent, verb, ms, {
      'db.system.name': 'postgresql',
      'db.query.text': text.length > MAX_STATEMENT ? `${text.slice(0, MAX_STATEMENT)}…` : text,
    });
  }

  /** Ends an operation's span with its name, type, viewer, SQL count and outcome. */
  static endOperation(
    span: Span,
    o: { name?: string; type?: string; userId?: number | null; statements: number; errors: boolean },
  ): void {
    span.updateName(o.type ? `${o.type} ${o.name ?? 'anonymous'}` : 'graphql');
    if (o.type) span.setAttribute('graphql.operation.type', o.type);
    if (o.name) span.setAttribute('graphql.operation.name', o.name);
    if (o.userId) span.setAttribute('enduser.id', String(o.userId));
    span.setAttribute('townsquare.sql_statements', o.statements);
    if (o.errors) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** Sends what is buffered and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
