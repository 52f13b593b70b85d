// How an event was grouped: set on each ErrorEvent by the `group` processor, read by the group
// store, the alert evaluator and the read API.

export interface Frame {
  /** Function or method name, '' when unknown. */
  readonly function: string;
  /** Module, class or file path as the runtime printed it. */
  readonly module: string;
  /** 0 when unknown. */
  readonly line: number;
  readonly column: number;
  /** Not library, runtime or vendored code (configurable patterns). */
  readonly inApp: boolean;
  /** Set on a JavaScript frame of a bundle when source maps are configured: resolved, or why not. */
  readonly sourceMap?: 'resolved' | 'missing' | 'broken';
  /** The frame as printed, when a source map resolved it. */
  readonly minified?: { readonly function: string; readonly module: string; readonly line: number; readonly column: number };
}

export type GroupingMethod = 'client' | 'rule' | 'frames' | 'message';

export interface Grouping {
  /** Hex digest; the group's identity. */
  readonly fingerprint: string;
  readonly method: GroupingMethod;
  /** The fingerprint rule's name when method is `rule`. */
  readonly rule: string;
  /** Bumped whenever the algorithm changes what it hashes. */
  readonly version: number;
  /** Type and normalised message, e.g. `TimeoutError: request <hex> took <num>ms`. */
  readonly title: string;
  /** The top in-app frame (innermost in-app cause), e.g. `loadUser (src/users.js)`; '' if none. */
  readonly culprit: string;
  /** Parsed frames, outermost call first; empty when the stack trace was unparseable or absent. */
  readonly frames: readonly Frame[];
  /**
   * The fingerprints earlier fingerprint versions gave this event, where they differ: the group
   * store files the event into a group one of them opened when its own fingerprint is new.
   */
  readonly previousFingerprints?: readonly string[];
}
