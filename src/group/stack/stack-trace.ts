// The parsed form of an `exception.stacktrace` text, shared by the per-language parsers. Parsers
// read lines and return plain data; they never throw, and a line they do not recognise (a partial
// last line of a cut trace, a log prefix, a note the runtime printed) is skipped.

import type { Frame } from '../grouping.js';

export type StackLanguage = 'java' | 'python' | 'javascript' | 'go' | 'dotnet' | 'ruby' | 'php' | 'dart' | 'rust' | 'unknown';

/** A frame as a parser read it: `file` is kept apart from `module` for in-app classification. */
export interface RawFrame {
  readonly function: string;
  /** Class (Java, .NET), package (Go) or file path (the others), as the runtime printed it. */
  readonly module: string;
  /** File path when the runtime printed one apart from the module; '' otherwise. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface RawException {
  /** '' when the text did not say (a bare V8 stack from Firefox, a Go debug.Stack()). */
  readonly type: string;
  readonly message: string;
  /** Outermost call first. */
  readonly frames: readonly RawFrame[];
}

export interface ParsedException {
  readonly type: string;
  readonly message: string;
  /** Outermost call first. */
  readonly frames: readonly Frame[];
}

export interface ParsedStack {
  readonly language: StackLanguage;
  /**
   * The top-level exception first, then its causes, innermost cause last (Java `Caused by:`,
   * Python chains, .NET inner exceptions, Node `[cause]:`, PHP previous exceptions, Ruby causes),
   * then any members of an exception group or AggregateError. Empty when nothing was recognised.
   */
  readonly exceptions: readonly ParsedException[];
}

/** Text past this many characters is not read (cut at a line end): bounds time on a huge trace. */
export const MAX_STACKTRACE_CHARS = 256 * 1024;
/** Frames kept per exception: the outermost and innermost halves, so recursion cannot flood. */
export const MAX_FRAMES_PER_EXCEPTION = 256;
/** Exceptions kept per trace (top-level, causes, group members). */
export const MAX_EXCEPTIONS = 16;
/** Lines longer than this are never frames; it also bounds regex work on hostile input. */
export const MAX_FRAME_LINE_CHARS = 2048;
/** Messages read from the text are cut here. */
export const MAX_PARSED_MESSAGE_CHARS = 1024;

/** The text's lines, after cutting it at MAX_STACKTRACE_CHARS at a line end. */
export function linesOf(text: string): string[] {
  let bounded = text;
  if (bounded.length > MAX_STACKTRACE_CHARS) {
    const cut = bounded.lastIndexOf('\n', MAX_STACKTRACE_CHARS);
    bounded = bounded.slice(0, cut > 0 ? cut : MAX_STACKTRACE_CHARS);
  }
  return bounded.split(/\r?\n/);
}

/** Keeps the outermost and innermost halves of a list longer than the cap. */
export function capFrames<T>(frames: readonly T[]): readonly T[] {
  if (frames.length <= MAX_FRAMES_PER_EXCEPTION) return frames;
  const half = MAX_FRAMES_PER_EXCEPTION / 2;
  return [...frames.slice(0, half), ...frames.slice(frames.length - half)];
}

export function capMessage(message: string): string {
  return message.length > MAX_PARSED_MESSAGE_CHARS ? message.slice(0, MAX_PARSED_MESSAGE_CHARS) : message;
}

/** A positive integer from a regex group, 0 when absent or not a number. */
export function lineNumber(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number.parseInt(text, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** `Type: message` (or `Type` alone) split at the first `: `. */
export function splitTypeAndMessage(text: string): { type: string; message: string } {
  const colon = text.indexOf(': ');
  if (colon < 0) return { type: text.trim(), message: '' };
  return { type: text.slice(0, colon).trim(), message: capMessage(text.slice(colon + 2).trim()) };
}

/** Builds exceptions while a parser walks its lines; frames are pushed innermost first. */
export class ExceptionBuilder {
  readonly exceptions: { type: string; message: string; frames: RawFrame[] }[] = [];

  start(type: string, message: string): void {
    if (this.exceptions.length < MAX_EXCEPTIONS) this.exceptions.push({ type, message: capMessage(message), frames: [] });
  }

  /** Adds a frame to the exception begun last (starting an untyped one when none was). */
  frame(frame: RawFrame): void {
    if (this.exceptions.length === 0) this.start('', '');
    if (this.exceptions.length > MAX_EXCEPTIONS) return;
    this.current()!.frames.push(frame);
  }

  current(): { type: string; message: string; frames: RawFrame[] } | undefined {
    return this.exceptions[this.exceptions.length - 1];
  }

  /** The exceptions with their frames turned outermost first. */
  innermostFirstDone(): RawException[] {
    return this.exceptions.map((e) => ({ type: e.type, message: e.message, frames: [...e.frames].reverse() }));
  }

  outermostFirstDone(): RawException[] {
    return this.exceptions;
  }
}
