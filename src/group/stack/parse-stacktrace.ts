// `exception.stacktrace` text → exceptions and frames: picks the language from the lines' shapes,
// hands them to that language's parser and marks each frame in-app or not. Never throws: an
// unknown format (or a parser's surprise) gives no exceptions, and grouping falls back to the
// message.

import type { Frame } from '../grouping.js';
import { parseDart } from './dart-parser.js';
import { parseDotnet } from './dotnet-parser.js';
import { parseGo } from './go-parser.js';
import type { InAppClassifier } from './in-app.js';
import { parseJava } from './java-parser.js';
import { parseJavaScript } from './javascript-parser.js';
import { parsePhp } from './php-parser.js';
import { parsePython } from './python-parser.js';
import { parseRuby } from './ruby-parser.js';
import { parseRust } from './rust-parser.js';
import { capFrames, linesOf, type ParsedStack, type RawException, type StackLanguage } from './stack-trace.js';

const PARSERS: Readonly<Record<Exclude<StackLanguage, 'unknown'>, (lines: readonly string[]) => RawException[]>> = {
  java: parseJava,
  python: parsePython,
  javascript: parseJavaScript,
  go: parseGo,
  dotnet: parseDotnet,
  ruby: parseRuby,
  php: parsePhp,
  dart: parseDart,
  rust: parseRust,
};

/** Lines looked at to decide the language. */
const DETECT_LINES = 200;

const SIGNS: readonly (readonly [Exclude<StackLanguage, 'unknown'>, RegExp])[] = [
  ['python', /^\s*(?:\|\s*)*(?:\+ )?(?:Exception Group )?Traceback \(most recent call last\):|^\s*(?:\|\s*)*File "[^"]*", line \d+/],
  ['go', /^goroutine \d+ \[[^\]]*\]:$/],
  ['rust', /^thread '[^']*' panicked at /],
  // Mono: `at Ns.Type.Method (Type a) [0x00000] in <filename unknown>:0`.
  [
    'dotnet',
    /^\s*at [^(]+\(.*\) in .+:line \d+\s*$|^\s*--- End of inner exception stack trace ---|^ ---> \S|\S ---> [\w.]+(?:Exception|Error)\b|^\s*at \S+ \([^()]*\)(?: \[0x[0-9a-f]+\])? in .+:\d+\s*$/,
  ],
  // Java frames have no space before `(` and a file, `Native Method`, `Unknown Source` or CGLIB's `<generated>` inside.
  ['java', /^\s*at [^\s(]+\((?:[^()\s]+\.\w+(?::\d+)?|Native Method|Unknown Source|<generated>)\)(?:\s+~?\[[^\]]*\])?\s*$/],
  ['dart', /^#\d+\s+\S.* \((?:file|dart|package|org-dartlang-[\w-]+|https?):[^()\s]*\)$/],
  // .NET frames without file information: typed parameters or none.
  ['dotnet', /^\s*at [\w.`<>|$[\],]+\((?:[\w.`<>[\]&*,]+ \w+(?:, [\w.`<>[\]&*,]+ \w+)*)?\)\s*$/],
  // V8; SpiderMonkey and JavaScriptCore (`fn@url:line:col`, Safari 6 and Opera 11 without a column,
  // Safari's anonymous bare `url:line:col`).
  [
    'javascript',
    /^\s*at (?:.+ \()?.*:\d+:\d+\)?(?: \{|,)?$|^\s*at .+ \((?:native|<anonymous>|index \d+)\)|^\s*[^@\s]*@.+:\d+:\d+$|^[^@]*@(?:https?|file|blob|webpack):\/\/\S+:\d+(?::\d+)?$|^(?:https?|file):\/\/\S+:\d+:\d+$/,
  ],
  ['ruby', /^(?:\s+from )?\S.*?:\d+:in [`'][^']*'|^\s+(?:[\w.-]+ \([\w.]+\) )?\S+\.rb:\d+:in [`']/],
  ['php', /^#\d+ (?:\{main\}|.+\(\d+\): |\[internal function\]: )/],
];

export function detectLanguage(lines: readonly string[]): StackLanguage {
  const head = lines.length > DETECT_LINES ? lines.slice(0, DETECT_LINES) : lines;
  for (const [language, sign] of SIGNS) {
    for (const line of head) if (line.length <= 2048 && sign.test(line)) return language;
  }
  return 'unknown';
}

export function parseStacktrace(text: string, inApp: InAppClassifier): ParsedStack {
  const { language, exceptions } = readStacktrace(text);
  return {
    language,
    exceptions: exceptions.map((exception) => ({
      type: exception.type,
      message: exception.message,
      frames: exception.frames.map(
        (raw): Frame => ({
          function: raw.function,
          module: raw.module,
          line: raw.line,
          column: raw.column,
          inApp: inApp(raw, language),
        }),
      ),
    })),
  };
}

/** The text's exceptions with their frames as the parser read them (file apart), capped. */
export function readStacktrace(text: string): { language: StackLanguage; exceptions: RawException[] } {
  if (text.trim() === '') return { language: 'unknown', exceptions: [] };
  try {
    const lines = linesOf(text);
    const language = detectLanguage(lines);
    if (language === 'unknown') return { language, exceptions: [] };
    const exceptions = PARSERS[language](lines).map((exception) => ({ ...exception, frames: capFrames(exception.frames) }));
    return { language, exceptions };
  } catch {
    // A parser bug must not cost the event: group it by its message instead.
    return { language: 'unknown', exceptions: [] };
  }
}
