// ErrorEvent → Grouping: which group an event belongs to, and why. Precedence:
//   1. client: the `faultline.fingerprint` attribute (a string or a list of strings) of the span or
//      log record, as the sender decided;
//   2. rule: the first of the `group` processor's fingerprint_rules that matches (type glob,
//      message glob or /regex/, attribute glob) → its fixed values, or extra keys with `{{ default }}`;
//   3. frames: service, exception type and the in-app frames' function + normalised module of each
//      exception in the chain (cause types too), line numbers never; recursion collapsed; with a
//      single frame the normalised message joins in (one frame says too little);
//   4. message: service, type and the normalised message.
// Every fingerprint includes the service, so groups never span services. sha256, hex, 32 chars.
// Frames come from the event's structured exceptions when the sender gave them (a Sentry SDK's
// stacktrace.frames, with its in_app flags), else from parsing its stack trace text.
// The culprit is the innermost in-app frame of the innermost cause that has one (the throw site,
// not the outermost caller). `frames` are the whole chain's, top-level exception first.
//
// Versions: each grouping also carries the fingerprint version 1 would have given the event
// (`previousFingerprints`), from version 1's frame keys (no project-relative paths, no JavaScript
// name folding) and its frozen message normalising (normalize-message-v1.ts), so the group store
// files an event whose new fingerprint it has never seen into the group its old one opened: groups
// keep their ids across an upgrade instead of all being announced as new. It is exact for traces
// that version 1 parsed as version 2 does; traces the parsers now read differently (Safari,
// Mono, Rails logs, …) or V8 `new X` frames may still open new groups. The store reads it only when
// it does not know the event's own fingerprint yet, so it is computed then (a memoised getter),
// not for every event; a StackGrouping's version-1 parts likewise.

import { createHash } from 'node:crypto';
import { valueAsText } from '../extract/attributes.js';
import type { ErrorEvent, StructuredException } from '../extract/error-event.js';
import type { FingerprintRuleConfig } from './config.js';
import { compileRule, type FingerprintRule } from './fingerprint-rules.js';
import type { Frame, Grouping, GroupingMethod } from './grouping.js';
import { normalizeMessage } from './normalize-message.js';
import { normalizeMessageV1 } from './normalize-message-v1.js';
import { describeFrame, frameContext, frameKey, type FrameContext } from './normalize-frame.js';
import { createInAppClassifier, type InAppClassifier, type InAppPatterns } from './stack/in-app.js';
import { parseStacktrace } from './stack/parse-stacktrace.js';
import type { ParsedException, StackLanguage } from './stack/stack-trace.js';
import { createSourceMaps, type SourceMaps } from './sourcemap/source-maps.js';

/** Bump whenever a change alters what is hashed, and keep the old computation as a previous version. */
export const FINGERPRINT_VERSION = 2;
/** The version whose fingerprints are also looked up when a new one misses. */
export const PREVIOUS_FINGERPRINT_VERSION = 1;
export const CLIENT_FINGERPRINT_ATTRIBUTE = 'faultline.fingerprint';
const FINGERPRINT_HEX_CHARS = 32;
const MAX_TITLE_CHARS = 256;
const MAX_CLIENT_VALUES = 32;


export interface GroupingOptions {
  readonly inApp: InAppClassifier;
  readonly rules: readonly FingerprintRule[];
  /** Resolves minified JavaScript frames of a release before grouping; absent: frames as printed. */
  readonly sourceMaps?: SourceMaps;
}

export function createGroupingOptions(config: {
  readonly inAppInclude: InAppPatterns['include'];
  readonly inAppExclude: InAppPatterns['exclude'];
  readonly fingerprintRules: readonly FingerprintRuleConfig[];
  /** '' or absent: no source maps. */
  readonly sourceMapsDirectory?: string;
}): GroupingOptions {
  const options = {
    inApp: createInAppClassifier({ include: config.inAppInclude, exclude: config.inAppExclude }),
    rules: config.fingerprintRules.map(compileRule),
  };
  return config.sourceMapsDirectory ? { ...options, sourceMaps: createSourceMaps(config.sourceMapsDirectory) } : options;
}

/**
 * What the stack trace decides, for one service and exception type: the same for every event
 * with the same (service, type, stack trace), so the group processor caches it. Frozen: events
 * share it.
 */
export interface StackGrouping {
  /** The whole chain's frames, top-level exception first. */
  readonly frames: readonly Frame[];
  readonly culprit: string;
  /** In-app frames (or named frames when none is in-app) hashed, recursion collapsed. */
  readonly frameCount: number;
  /** What the `frames` method hashes, the message aside (it joins only when frameCount is 1). */
  readonly parts: readonly string[];
  /** hash(parts) when frameCount ≥ 2 (the message does not join); '' otherwise. */
  readonly fingerprint: string;
  /** True when the text was not blank but no frame came out of it. */
  readonly unparsed: boolean;
  /** The same, as PREVIOUS_FINGERPRINT_VERSION computed it. */
  readonly previous: StackParts;
}

/** What the frames give a fingerprint of one version. */
export interface StackParts {
  readonly frameCount: number;
  readonly parts: readonly string[];
  readonly fingerprint: string;
}

/** Parses `stacktrace` and computes everything in the grouping that depends only on it, `service` and `type`. */
export function groupStack(service: string, type: string, stacktrace: string, options: GroupingOptions, release = ''): StackGrouping {
  const parsed = parseStacktrace(stacktrace, options.inApp);
  const { language } = parsed;
  const chain = options.sourceMaps !== undefined && language === 'javascript' && release !== '' ? resolved(parsed.exceptions, options, release) : parsed.exceptions;
  return groupChain(service, type, chain, language, stacktrace.trim() !== '');
}

/** The same as groupStack for a chain the sender structured: no text is parsed (nor source-mapped). */
export function groupStructured(service: string, type: string, exceptions: readonly StructuredException[], options: GroupingOptions): StackGrouping {
  const chain: ParsedException[] = exceptions.map((exception) => ({
    type: exception.type,
    message: exception.message,
    frames: exception.frames.map(
      (frame): Frame => ({
        function: frame.function,
        module: frame.module,
        line: frame.line,
        column: frame.column,
        inApp: options.inApp(frame, 'unknown', frame.inApp),
      }),
    ),
  }));
  return groupChain(service, type, chain, 'unknown', false);
}

/** The grouping of the stack part of an event, from its structured exceptions or else its text. */
export function stackGroupingOf(event: ErrorEvent, options: GroupingOptions): StackGrouping {
  if (event.exceptions !== undefined) return groupStructured(event.service, event.type, event.exceptions, options);
  return groupStack(event.service, event.type, event.stacktrace, options, event.serviceVersion);
}

function groupChain(service: string, type: string, chain: readonly ParsedException[], language: StackLanguage, unparsedText: boolean): StackGrouping {
  const frames = Object.freeze(chain.flatMap((exception) => exception.frames.map((frame) => Object.freeze(frame))));
  const { parts, frameCount } = frameParts(service, type, chain, frameContext(language, frames));
  let previous: StackParts | undefined;
  return Object.freeze({
    frames,
    culprit: culpritOf(chain),
    frameCount,
    parts: Object.freeze(parts),
    fingerprint: frameCount >= 2 ? hash(parts) : '',
    unparsed: frames.length === 0 && unparsedText,
    get previous(): StackParts {
      if (previous === undefined) {
        const v1 = frameParts(service, type, chain, undefined);
        previous = Object.freeze({
          frameCount: v1.frameCount,
          parts: Object.freeze(v1.parts),
          fingerprint: v1.frameCount >= 2 ? hash(v1.parts, PREVIOUS_FINGERPRINT_VERSION) : '',
        });
      }
      return previous;
    },
  });
}

/** The chain with its bundles' frames resolved through their source maps, in-app judged on the original paths. */
function resolved(chain: readonly ParsedException[], options: GroupingOptions, release: string): ParsedException[] {
  return chain.map((exception) => ({
    ...exception,
    frames: options.sourceMaps!.resolve(exception.frames, release).map((frame) =>
      frame.sourceMap === 'resolved' ? { ...frame, inApp: options.inApp({ ...frame, file: '' }, 'javascript') } : frame,
    ),
  }));
}

/**
 * `stack`: stackGroupingOf(event, options), computed here when
 * not given (the group processor passes a cached one).
 */
export function computeGrouping(event: ErrorEvent, options: GroupingOptions, stack?: StackGrouping): Grouping {
  const stackGrouping = stack ?? stackGroupingOf(event, options);
  const message = normalizeMessage(event.message);
  const current = fingerprintOf(FINGERPRINT_VERSION, event, options, stackGrouping, () => message);
  let previousFingerprints: readonly string[] | undefined;
  return {
    ...current,
    version: FINGERPRINT_VERSION,
    title: titleOf(event.type, message),
    culprit: stackGrouping.culprit,
    frames: stackGrouping.frames,
    get previousFingerprints() {
      if (previousFingerprints === undefined) {
        const previous = fingerprintOf(PREVIOUS_FINGERPRINT_VERSION, event, options, stackGrouping.previous, () => normalizeMessageV1(event.message)).fingerprint;
        previousFingerprints = previous === current.fingerprint ? [] : [previous];
      }
      return previousFingerprints;
    },
  };
}

/** The fingerprint of one version: its stack parts and message normalising (called only when the message is hashed). */
function fingerprintOf(
  version: number,
  event: ErrorEvent,
  options: GroupingOptions,
  stack: StackParts,
  normalized: () => string,
): { fingerprint: string; method: GroupingMethod; rule: string } {
  let computedFingerprint: string | undefined;
  const computed = () => (computedFingerprint ??= defaultFingerprint(event, stack, normalized, version).fingerprint);
  const expand = (values: readonly string[]) => values.map((value) => expandValue(value, event, normalized, computed));
  const client = clientValues(event);
  if (client !== null) return { fingerprint: hash(['client', event.service, ...expand(client)], version), method: 'client', rule: '' };
  for (const rule of options.rules) {
    if (rule.matches(event)) return { fingerprint: hash(['rule', event.service, ...expand(rule.fingerprint)], version), method: 'rule', rule: rule.name };
  }
  return { ...defaultFingerprint(event, stack, normalized, version), rule: '' };
}

function defaultFingerprint(event: ErrorEvent, stack: StackParts, normalized: () => string, version: number): { fingerprint: string; method: GroupingMethod } {
  if (stack.frameCount === 0) return { fingerprint: hash(['message', event.service, event.type, normalized()], version), method: 'message' };
  if (stack.frameCount === 1) return { fingerprint: hash([...stack.parts, normalized()], version), method: 'frames' };
  return { fingerprint: stack.fingerprint, method: 'frames' };
}

function frameParts(
  service: string,
  type: string,
  chain: readonly ParsedException[],
  /** undefined: version 1's frame keys. */
  context: FrameContext | undefined,
): { parts: string[]; frameCount: number } {
  const anyInApp = chain.some((exception) => exception.frames.some((frame) => frame.inApp));
  const parts: string[] = ['frames', service, type];
  let frameCount = 0;
  chain.forEach((exception, index) => {
    if (index > 0) parts.push(`cause:${exception.type}`);
    let previous = '';
    for (const frame of exception.frames) {
      if (anyInApp ? !frame.inApp : frame.function === '' && frame.module === '') continue;
      const key = frameKey(frame, context);
      if (key === previous) continue; // recursion: one frame however deep
      parts.push(key);
      previous = key;
      frameCount++;
    }
  });
  return { parts, frameCount };
}

function culpritOf(chain: readonly ParsedException[]): string {
  for (let i = chain.length - 1; i >= 0; i--) {
    const frames = chain[i]!.frames;
    for (let j = frames.length - 1; j >= 0; j--) if (frames[j]!.inApp) return describeFrame(frames[j]!);
  }
  return '';
}

/** `Type: message`, but a message that already starts with its type (`KeyError: 2`) is not prefixed again. */
function titleOf(type: string, message: string): string {
  const named = message === type || (message.startsWith(type) && message.charCodeAt(type.length) === 0x3a); // ':'
  const title = message === '' ? type : type === '' || named ? message : `${type}: ${message}`;
  return title.length > MAX_TITLE_CHARS ? `${title.slice(0, MAX_TITLE_CHARS - 1)}…` : title;
}

function hash(parts: readonly string[], version = FINGERPRINT_VERSION): string {
  return createHash('sha256')
    .update([String(version), ...parts].join('\u0000'))
    .digest('hex')
    .slice(0, FINGERPRINT_HEX_CHARS);
}

/** The client's values, or null when the attribute is absent or empty. */
function clientValues(event: ErrorEvent): string[] | null {
  const value = event.attributes.get(CLIENT_FINGERPRINT_ATTRIBUTE);
  if (value === undefined || value === null) return null;
  const values = (Array.isArray(value) ? (value as readonly unknown[]) : [value])
    .slice(0, MAX_CLIENT_VALUES)
    .map((item) => valueAsText(item as never).trim())
    .filter((item) => item !== '');
  return values.length === 0 ? null : values;
}

const VARIABLE = /^\{\{\s*(default|type|message|attribute\.(.+?))\s*\}\}$/;

function expandValue(value: string, event: ErrorEvent, message: () => string, computed: () => string): string {
  const variable = VARIABLE.exec(value);
  if (variable === null) return `=${value}`;
  if (variable[1] === 'default') return `default:${computed()}`;
  if (variable[1] === 'type') return `type:${event.type}`;
  if (variable[1] === 'message') return `message:${message()}`;
  return `attribute:${valueAsText(event.attributes.get(variable[2]!))}`;
}
