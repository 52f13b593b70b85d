// Requests for the store benchmark (store.ts): `groups` distinct error groups × `samples` events
// each, as OTLP/HTTP protobuf bodies of `perRequest` SERVER spans, each span with ERROR status and
// one `exception` event, every span in its own trace (distinct trace and span ids per event).
//
// Groups differ where Faultline's fingerprint looks (src/group/fingerprint.ts: service, exception
// type and the in-app frames' function + module, line numbers never): every group has its own
// in-app frames, named from its index, under one of a few dozen exception types per language.
// Stack traces are 4–8 KiB, half in Java's shape (`\tat pkg.Class.method(File.java:12)`, Spring and
// Tomcat library frames, a `Caused by:` chain with `... N more`), half in Node's (`    at fn
// (/srv/app/...)` in-app frames, then node_modules and `node:internal` frames). A group's samples
// share its stack trace (the same bug) and differ in message (ids, amounts) and trace.
//
// Events are sent sample round by sample round: the first G events open the G groups, later
// rounds add to their counts and samples. Bodies are built when asked for, one request at a time
// (100,000 groups × 5 samples would be about 3 GB of bodies), from a seeded PRNG: the same bytes
// on every run. Encoded by a small protobuf writer below (the message the OpenTelemetry SDK sends
// for such spans, field for field), because the official serializer would make the sender the
// bottleneck.

import { createRandom } from './payloads.js';

export interface StoreLoad {
  readonly groups: number;
  readonly samples: number;
  readonly perRequest: number;
  /** Requests in all: ceil(groups × samples / perRequest). */
  readonly requests: number;
  /** The protobuf body of request `index` (0-based), built now. */
  body(index: number): Buffer;
}

interface ServiceShape {
  readonly name: string;
  readonly language: 'java' | 'node';
  readonly attributes: Readonly<Record<string, string>>;
}

const SERVICES: readonly ServiceShape[] = [
  ['orders-api', 'java'],
  ['storefront-bff', 'node'],
  ['billing', 'java'],
  ['catalog', 'node'],
  ['notifications', 'java'],
  ['checkout-web', 'node'],
].map(([name, language]) => ({
  name: name!,
  language: language as 'java' | 'node',
  attributes: {
    'service.name': name!,
    'service.version': '2.7.1',
    'deployment.environment.name': 'prod',
    'host.name': `${name}-7f9c`,
    'telemetry.sdk.language': language === 'java' ? 'java' : 'nodejs',
  },
}));

const JAVA_TYPES = [
  'com.acme.orders.OrderRejectedException', 'com.acme.billing.PaymentDeclinedException', 'com.acme.common.NotFoundException',
  'com.acme.common.ConflictException', 'com.acme.inventory.StockUnavailableException', 'java.lang.IllegalStateException',
  'java.lang.IllegalArgumentException', 'java.lang.NullPointerException', 'java.util.NoSuchElementException',
  'java.util.ConcurrentModificationException', 'java.io.UncheckedIOException', 'java.net.SocketTimeoutException',
  'org.springframework.dao.DataIntegrityViolationException', 'org.springframework.dao.QueryTimeoutException',
  'org.springframework.web.client.HttpServerErrorException', 'org.springframework.web.client.ResourceAccessException',
  'org.hibernate.StaleObjectStateException', 'org.hibernate.LazyInitializationException',
  'com.fasterxml.jackson.databind.exc.MismatchedInputException', 'jakarta.validation.ConstraintViolationException',
  'io.grpc.StatusRuntimeException', 'redis.clients.jedis.exceptions.JedisConnectionException',
  'com.acme.shipping.AddressValidationException', 'com.acme.pricing.CurrencyConversionException',
];
const NODE_TYPES = [
  'TypeError', 'RangeError', 'Error', 'SyntaxError', 'ReferenceError', 'AbortError', 'ValidationError', 'NotFoundError',
  'UnauthorizedError', 'ConflictError', 'TimeoutError', 'FetchError', 'SequelizeDatabaseError', 'MongoServerError',
  'AxiosError', 'PrismaClientKnownRequestError', 'ZodError', 'RedisConnectionError', 'PaymentRequiredError', 'RateLimitError',
];

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'xe', 'zu', 'pa', 'do', 'fe', 'gi', 'hu', 'ja', 'ko', 'la', 'me', 'no', 'pi', 'qu', 're', 'su', 'ta', 'vi'];
const NOUNS = ['Order', 'Invoice', 'Cart', 'Customer', 'Payment', 'Shipment', 'Coupon', 'Refund', 'Product', 'Account', 'Session', 'Ledger', 'Quote', 'Voucher', 'Stock', 'Price'];
const VERBS = ['load', 'apply', 'validate', 'resolve', 'submit', 'compute', 'reserve', 'release', 'capture', 'render', 'sync', 'merge', 'update', 'fetch'];

/** A pronounceable name unique to `n` (base-26 syllables), so every group gets its own frames. */
function uniqueName(n: number, capital: boolean): string {
  let out = '';
  let rest = n;
  do {
    out += SYLLABLES[rest % SYLLABLES.length];
    rest = Math.floor(rest / SYLLABLES.length);
  } while (rest > 0);
  return capital ? out[0]!.toUpperCase() + out.slice(1) : out;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const JAVA_LIBRARY_FRAMES = [
  'org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)',
  'org.springframework.transaction.interceptor.TransactionInterceptor$1.proceedWithInvocation(TransactionInterceptor.java:123)',
  'org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:392)',
  'org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)',
  'org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:713)',
  'java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
  'java.base/java.lang.reflect.Method.invoke(Method.java:580)',
  'org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)',
  'org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:188)',
  'org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)',
  'org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:926)',
  'org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:831)',
  'org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)',
  'org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)',
  'org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:979)',
  'org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)',
  'org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:914)',
  'jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590)',
  'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)',
  'jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)',
  'org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:205)',
  'org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)',
  'org.apache.tomcat.websocket.server.WsFilter.doFilter(WsFilter.java:51)',
  'org.springframework.web.filter.RequestContextFilter.doFilterInternal(RequestContextFilter.java:100)',
  'org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)',
  'org.springframework.web.filter.FormContentFilter.doFilterInternal(FormContentFilter.java:93)',
  'org.springframework.web.filter.ServerHttpObservationFilter.doFilterInternal(ServerHttpObservationFilter.java:109)',
  'org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal(CharacterEncodingFilter.java:201)',
  'org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)',
  'org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)',
  'org.apache.catalina.authenticator.AuthenticatorBase.invoke(AuthenticatorBase.java:482)',
  'org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:115)',
  'org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:93)',
  'org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:74)',
  'org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)',
  'org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)',
  'org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:63)',
  'org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:896)',
  'org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)',
  'org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:52)',
  'org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)',
  'org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)',
  'org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:63)',
  'java.base/java.lang.Thread.run(Thread.java:1583)',
];

const JAVA_CAUSE_FRAMES = [
  'org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)',
  'org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)',
  'org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:371)',
  'org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:502)',
  'org.postgresql.jdbc.PgStatement.execute(PgStatement.java:419)',
  'org.postgresql.jdbc.PgPreparedStatement.executeWithFlags(PgPreparedStatement.java:194)',
  'org.postgresql.jdbc.PgPreparedStatement.executeUpdate(PgPreparedStatement.java:155)',
  'com.zaxxer.hikari.pool.ProxyPreparedStatement.executeUpdate(ProxyPreparedStatement.java:61)',
  'com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)',
  'org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:194)',
  'org.hibernate.engine.jdbc.mutation.internal.AbstractMutationExecutor.performNonBatchedMutation(AbstractMutationExecutor.java:108)',
  'org.hibernate.persister.entity.mutation.InsertCoordinator.doStaticInserts(InsertCoordinator.java:194)',
];

const NODE_LIBRARY_FRAMES = [
  'Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
  'next (/srv/app/node_modules/express/lib/router/route.js:149:13)',
  'Route.dispatch (/srv/app/node_modules/express/lib/router/route.js:119:3)',
  'Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
  '/srv/app/node_modules/express/lib/router/index.js:284:15',
  'Function.process_params (/srv/app/node_modules/express/lib/router/index.js:346:12)',
  'next (/srv/app/node_modules/express/lib/router/index.js:280:10)',
  'jsonParser (/srv/app/node_modules/body-parser/lib/types/json.js:113:7)',
  'Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
  'trim_prefix (/srv/app/node_modules/express/lib/router/index.js:328:13)',
  '/srv/app/node_modules/express/lib/router/index.js:286:9',
  'Function.process_params (/srv/app/node_modules/express/lib/router/index.js:346:12)',
  'next (/srv/app/node_modules/express/lib/router/index.js:280:10)',
  'cors (/srv/app/node_modules/cors/lib/index.js:188:7)',
  '/srv/app/node_modules/cors/lib/index.js:224:17',
  'originCallback (/srv/app/node_modules/cors/lib/index.js:214:15)',
  'Immediate.<anonymous> (/srv/app/node_modules/express-async-handler/index.js:25:21)',
  'AsyncLocalStorage.run (node:async_hooks:346:14)',
  'Span.withContext (/srv/app/node_modules/@opentelemetry/context-async-hooks/build/src/AsyncLocalStorageContextManager.js:33:40)',
  'ContextAPI.with (/srv/app/node_modules/@opentelemetry/api/build/src/api/context.js:60:46)',
  'Server.emit (/srv/app/node_modules/@opentelemetry/instrumentation-http/build/src/http.js:379:45)',
  'parserOnIncoming (node:_http_server:1143:12)',
  'HTTPParser.parserOnHeadersComplete (node:_http_common:118:17)',
  'process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  'async Promise.all (index 0)',
  'Pool.acquire (/srv/app/node_modules/generic-pool/lib/Pool.js:402:26)',
  'Client._handleErrorMessage (/srv/app/node_modules/pg/lib/client.js:336:17)',
  'Connection.emit (node:events:519:28)',
  '/srv/app/node_modules/pg/lib/connection.js:116:12',
  'Parser.parse (/srv/app/node_modules/pg-protocol/dist/parser.js:36:17)',
  'Socket.<anonymous> (/srv/app/node_modules/pg-protocol/dist/index.js:11:42)',
  'Socket.emit (node:events:519:28)',
  'addChunk (node:internal/streams/readable:559:12)',
  'readableAddChunkPushByteMode (node:internal/streams/readable:510:3)',
  'Readable.push (node:internal/streams/readable:390:5)',
  'TCP.onStreamRead (node:internal/stream_base_commons:191:23)',
];

interface GroupShape {
  readonly service: ServiceShape;
  readonly type: string;
  /** The stack trace without its first line (the message differs per sample). */
  readonly frames: string;
  readonly messageStem: string;
  readonly route: string;
}

const SECURITY_FILTERS = [
  'web.access.intercept.AuthorizationFilter', 'web.access.ExceptionTranslationFilter', 'web.session.SessionManagementFilter',
  'web.authentication.AnonymousAuthenticationFilter', 'web.servletapi.SecurityContextHolderAwareRequestFilter',
  'web.savedrequest.RequestCacheAwareFilter', 'oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter',
  'web.authentication.logout.LogoutFilter', 'web.csrf.CsrfFilter', 'web.header.HeaderWriterFilter',
  'web.context.SecurityContextHolderFilter', 'web.context.request.async.WebAsyncManagerIntegrationFilter',
  'web.session.DisableEncodeUrlFilter', 'web.authentication.www.BasicAuthenticationFilter',
];

const NODE_MIDDLEWARE = [
  'jsonParser (/srv/app/node_modules/body-parser/lib/types/json.js:113:7)', 'urlencodedParser (/srv/app/node_modules/body-parser/lib/types/urlencoded.js:85:7)',
  'cors (/srv/app/node_modules/cors/lib/index.js:188:7)', 'helmetMiddleware (/srv/app/node_modules/helmet/index.cjs:531:6)',
  'compression (/srv/app/node_modules/compression/index.js:220:5)', 'session (/srv/app/node_modules/express-session/index.js:487:7)',
  'initialize (/srv/app/node_modules/passport/lib/middleware/initialize.js:98:5)', 'authenticate (/srv/app/node_modules/passport/lib/middleware/authenticate.js:370:7)',
  'pinoLogger (/srv/app/node_modules/pino-http/logger.js:184:5)', 'rateLimit (/srv/app/node_modules/express-rate-limit/dist/index.cjs:601:7)',
  'cookieParser (/srv/app/node_modules/cookie-parser/index.js:71:5)', 'serveStatic (/srv/app/node_modules/serve-static/index.js:75:16)',
  'query (/srv/app/node_modules/express/lib/middleware/query.js:45:5)', 'expressInit (/srv/app/node_modules/express/lib/middleware/init.js:40:5)',
];

/** The stack of group `g`: its own in-app frames first, then library frames, 4–8 KiB in all. */
function groupShape(g: number, groupsPerService: number): GroupShape {
  const random = createRandom(0x5eed + g);
  const service = SERVICES[Math.floor(g / groupsPerService) % SERVICES.length]!;
  const noun = pick(random, NOUNS);
  const name = uniqueName(g, true);
  const verb = pick(random, VERBS);
  // The whole trace with its first line (type and message, about 120 bytes) is 4–8 KiB.
  const target = 4096 + Math.floor(random() * 4096) - 120;
  const route = `/api/v2/${noun.toLowerCase()}s/:id/${verb}`;
  const constraint = `${noun.toLowerCase()}_${uniqueName(g, false)}_key`;
  const lines: string[] = [];
  let length = 0;
  const push = (line: string) => {
    lines.push(line);
    length += line.length + 1;
  };
  const lengthOf = (frames: readonly string[], prefix: string) => frames.reduce((sum, frame) => sum + prefix.length + frame.length + 1, 0);
  if (service.language === 'java') {
    const type = pick(random, JAVA_TYPES);
    const pkg = `com.acme.${service.name.replace(/-.*/, '')}`;
    const inApp = 3 + Math.floor(random() * 5);
    for (let i = 0; i < inApp; i++) {
      const cls = `${name}${pick(random, NOUNS)}${['Service', 'Handler', 'Repository', 'Validator', 'Mapper'][i % 5]}`;
      const method = `${pick(random, VERBS)}${uniqueName(g + i * 7919, true)}`;
      push(`\tat ${pkg}.${i % 2 === 0 ? 'service' : 'domain'}.${cls}.${method}(${cls}.java:${20 + Math.floor(random() * 400)})`);
    }
    push(`\tat ${pkg}.web.${noun}Controller.${verb}(${noun}Controller.java:${30 + Math.floor(random() * 200)})`);
    // Spring MVC down to the servlet filter chain, Spring Security's filters (as many as the size
    // asks: a real chain has 10–15), then Tomcat, then the cause.
    const split = JAVA_LIBRARY_FRAMES.findIndex((frame) => frame.startsWith('org.apache.catalina.core.StandardWrapperValve'));
    const head = JAVA_LIBRARY_FRAMES.slice(0, 22);
    const tail = JAVA_LIBRARY_FRAMES.slice(split);
    const causeLine = `Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "${constraint}"`;
    const reserve = lengthOf(tail, '\tat ') + causeLine.length + 1 + lengthOf(JAVA_CAUSE_FRAMES, '\tat ') + 16;
    for (const frame of head) push(`\tat ${frame}`);
    for (let f = 0; length < target - reserve - 90 && f < 200; f++) {
      const filter = SECURITY_FILTERS[f % SECURITY_FILTERS.length]!;
      const file = filter.slice(filter.lastIndexOf('.') + 1);
      push(`\tat org.springframework.security.${filter}.doFilter(${file}.java:${60 + ((f * 37) % 150)})`);
      push(`\tat org.springframework.security.web.FilterChainProxy$VirtualFilterChain.doFilter(FilterChainProxy.java:374)`);
    }
    for (const frame of tail) push(`\tat ${frame}`);
    push(causeLine);
    for (const frame of JAVA_CAUSE_FRAMES) push(`\tat ${frame}`);
    push(`\t... ${lines.length - inApp - 1} more`);
    return { service, type, frames: lines.join('\n'), messageStem: `${noun} ${verb} failed in ${name}`, route };
  }
  const type = pick(random, NODE_TYPES);
  const inApp = 3 + Math.floor(random() * 5);
  for (let i = 0; i < inApp; i++) {
    const fn = `${pick(random, VERBS)}${uniqueName(g + i * 7919, true)}`;
    const file = `/srv/app/dist/${['services', 'domain', 'handlers', 'lib'][i % 4]}/${uniqueName(g, false)}-${noun.toLowerCase()}.js`;
    push(`    at ${i === 0 ? '' : 'async '}${name}${noun}.${fn} (${file}:${10 + Math.floor(random() * 300)}:${1 + Math.floor(random() * 60)})`);
  }
  push(`    at async ${noun.toLowerCase()}Router.${verb} (/srv/app/dist/routes/${noun.toLowerCase()}s.js:${20 + Math.floor(random() * 90)}:7)`);
  // Express's route, one block of router frames per middleware (as many as the size asks), the
  // HTTP server and Node's internals, then the cause chain util.inspect appends (a pg error).
  const tail = NODE_LIBRARY_FRAMES.slice(16, 24);
  const cause = NODE_LIBRARY_FRAMES.slice(25);
  const causeLine = `  [cause]: error: duplicate key value violates unique constraint "${constraint}"`;
  const reserve = lengthOf(tail, '    at ') + causeLine.length + 1 + lengthOf(cause, '      at ');
  for (const frame of NODE_LIBRARY_FRAMES.slice(0, 3)) push(`    at ${frame}`);
  for (let m = 0; length < target - reserve - 330 && m < 200; m++) {
    push('    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)');
    push('    at trim_prefix (/srv/app/node_modules/express/lib/router/index.js:328:13)');
    push('    at /srv/app/node_modules/express/lib/router/index.js:286:9');
    push('    at Function.process_params (/srv/app/node_modules/express/lib/router/index.js:346:12)');
    push(`    at next (/srv/app/node_modules/express/lib/router/index.js:280:10)`);
    push(`    at ${NODE_MIDDLEWARE[m % NODE_MIDDLEWARE.length]}`);
  }
  for (const frame of tail) push(`    at ${frame}`);
  push(causeLine);
  for (const frame of cause) push(`      at ${frame}`);
  return { service, type, frames: lines.join('\n'), messageStem: `${noun} ${verb} failed in ${name}`, route };
}

// --- a small OTLP protobuf writer: the sender must stay far cheaper than the server (the
// official serializer costs about 20 ms per 100 such spans, which would cap the sender near the
// new store's goal); each stack trace is copied once, into the request; the bytes decode to the same request (checked with protobufjs when this was written).

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 127) {
    bytes.push((rest % 128) | 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited field whose parts are copied once, when the whole request is written. */
interface Message {
  readonly head: Buffer;
  readonly parts: readonly Part[];
  /** Encoded length, head included. */
  readonly length: number;
}
type Part = Buffer | Message;

const tag = (field: number, wire: number) => varint(field * 8 + wire);
function message(field: number, parts: readonly Part[]): Message {
  let size = 0;
  for (const part of parts) size += part.length;
  const head = Buffer.concat([tag(field, 2), varint(size)]);
  return { head, parts, length: head.length + size };
}
const bytesField = (field: number, bytes: Buffer) => message(field, [bytes]);
const stringField = (field: number, text: string) => bytesField(field, Buffer.from(text, 'utf8'));
const varintField = (field: number, value: number) => Buffer.concat([tag(field, 0), varint(value)]);
function fixed64Field(field: number, nanos: bigint): Buffer {
  const out = Buffer.alloc(9);
  out[0] = field * 8 + 1;
  out.writeBigUInt64LE(nanos, 1);
  return out;
}
/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1 | int_value = 3 } } */
function keyValue(field: number, key: string, value: string | number | readonly Part[]): Message {
  const any = typeof value === 'number' ? varintField(3, value) : typeof value === 'string' ? stringField(1, value) : message(1, value);
  return message(field, [stringField(1, key), message(2, [any])]);
}

function writeParts(parts: readonly Part[], out: Buffer, offset: number): number {
  let at = offset;
  for (const part of parts) {
    if (Buffer.isBuffer(part)) at += part.copy(out, at);
    else {
      at += part.head.copy(out, at);
      at = writeParts(part.parts, out, at);
    }
  }
  return at;
}

function encode(parts: readonly Part[]): Buffer {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = Buffer.allocUnsafe(size);
  writeParts(parts, out, 0);
  return out;
}

const resourceBytes = new Map<string, Message>();
/** ResourceSpans.resource (field 1) of a service, built once. */
function resourceOf(service: ServiceShape): Message {
  let bytes = resourceBytes.get(service.name);
  if (bytes === undefined) {
    bytes = message(1, Object.entries(service.attributes).map(([key, value]) => keyValue(1, key, value)));
    resourceBytes.set(service.name, bytes);
  }
  return bytes;
}
const SCOPE = message(1, [stringField(1, '@opentelemetry/instrumentation-http'), stringField(2, '0.301.0')]);

/** 2026-06-01T00:00:00Z plus the event's index in milliseconds: a fixed clock, as payloads.ts. */
const EPOCH_MS = 1_780_272_000_000;
const nanos = (ms: number) => BigInt(ms) * 1_000_000n;

/** Random, as SDKs make trace and span ids (W3C), and distinct: `salt` fills the last 8 hex digits. */
function hexId(random: () => number, bytes: number, salt: number): string {
  let out = '';
  while (out.length < bytes * 2 - 8) out += Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return out.slice(0, bytes * 2 - 8) + salt.toString(16).padStart(8, '0');
}

export function createStoreLoad(options: { groups: number; samples: number; perRequest?: number }): StoreLoad {
  const { groups, samples } = options;
  const perRequest = options.perRequest ?? 100;
  const total = groups * samples;
  // Blocks of consecutive groups share a service, so a request usually carries one resource.
  const groupsPerService = Math.max(perRequest, Math.ceil(groups / SERVICES.length / perRequest) * perRequest);
  const shapes = new Map<number, Omit<GroupShape, 'frames'> & { framesBytes: Buffer }>();
  const shapeOf = (g: number) => {
    let shape = shapes.get(g);
    if (shape === undefined) {
      const { frames, ...built } = groupShape(g, groupsPerService);
      shape = { ...built, framesBytes: Buffer.from(`\n${frames}`, 'utf8') };
      // Every group comes back once a round: keep up to 20,000 (about 120 MB); past that, build again.
      if (shapes.size >= 20_000) shapes.delete(shapes.keys().next().value!);
      shapes.set(g, shape);
    }
    return shape;
  };
  return {
    groups,
    samples,
    perRequest,
    requests: Math.ceil(total / perRequest),
    body(index) {
      const random = createRandom(0xb0d1 + index);
      // Spans by service, in order: one ResourceSpans per service in the request.
      const byService = new Map<ServiceShape, Message[]>();
      for (let event = index * perRequest; event < Math.min(total, (index + 1) * perRequest); event++) {
        const shape = shapeOf(event % groups);
        const start = EPOCH_MS + event;
        const text = `${shape.messageStem}: id ${Math.floor(random() * 1e9)} after ${1 + Math.floor(random() * 3000)} ms`;
        const exception = message(11, [
          fixed64Field(1, nanos(start + 11)),
          stringField(2, 'exception'),
          keyValue(3, 'exception.type', shape.type),
          keyValue(3, 'exception.message', text),
          keyValue(3, 'exception.stacktrace', [Buffer.from(`${shape.type}: ${text}`, 'utf8'), shape.framesBytes]),
        ]);
        const span = message(2, [
          bytesField(1, Buffer.from(hexId(random, 16, event + 1), 'hex')),
          bytesField(2, Buffer.from(hexId(random, 8, event + 1), 'hex')),
          stringField(5, `POST ${shape.route}`),
          varintField(6, 2), // SPAN_KIND_SERVER
          fixed64Field(7, nanos(start)),
          fixed64Field(8, nanos(start + 12)),
          keyValue(9, 'http.route', shape.route),
          keyValue(9, 'http.request.method', 'POST'),
          keyValue(9, 'http.response.status_code', 500),
          keyValue(9, 'url.path', shape.route.replace(':id', String(event))),
          exception,
          message(15, [stringField(2, text), varintField(3, 2)]), // STATUS_CODE_ERROR
        ]);
        const list = byService.get(shape.service);
        if (list === undefined) byService.set(shape.service, [span]);
        else list.push(span);
      }
      return encode([...byService].map(([service, spans]) => message(1, [resourceOf(service), message(2, [SCOPE, ...spans])])));
    },
  };
}
