/**
 * The Dom0 shell's grammar: console input (a command line, plus the lines of the here-documents
 * it opens, or several lines like a small script) parsed into and-or lists of pipelines of simple
 * commands, the subset of POSIX.1-2017 XCU 2.9 the setup guides need:
 *
 *   script    := list ( NEWLINE list )*
 *   list      := and_or ( ';' and_or )* [';']
 *   and_or    := pipeline ( ( '&&' | '||' ) pipeline )*
 *   pipeline  := command ( '|' command )*
 *   command   := ( WORD | '>' WORD | '>>' WORD | '<<' WORD | '<<-' WORD )+
 *
 * Words are split, unquoted and expanded by shell-quote (`shell-quote/parse`); expansions are
 * deferred: every `$NAME` becomes a sentinel `\0` + (`u`nquoted | `q`uoted) + NAME + `\0` that
 * expand.ts replaces when the command runs, so `A=1; echo $A` sees the new value. Subshells,
 * background jobs, `<` input and other redirections are refused with a syntax error.
 */
import parse from 'shell-quote/parse';
import { MAX_COMMANDS } from './limits';
import { type HereDocMark, ShellSyntaxError, UNQUOTED, scanLine } from './scan';

export interface Redirect {
  /** `>>` (append) rather than `>`. */
  append: boolean;
  /** The target word, unexpanded (may hold sentinels). */
  target: string;
}

export interface SimpleCommand {
  /** Words, unexpanded (may hold sentinels); leading NAME=value words are assignments. */
  words: string[];
  redirect: Redirect | null;
  /** Here-documents of this command; the last one is its standard input. */
  heredocs: HereDocMark[];
  /** 1-based input line the command starts on. */
  line: number;
}

export type Pipeline = SimpleCommand[];

export interface AndOrList {
  pipelines: Pipeline[];
  /** ops[i] joins pipelines[i] and pipelines[i + 1]. */
  ops: ('&&' | '||')[];
}

export interface Script {
  lists: AndOrList[];
  /** Number of simple commands (bounded by MAX_COMMANDS). */
  commands: number;
}

/** A bound of the shell was exceeded; the message names the bound. */
export class ShellLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellLimitError';
  }
}

/** A syntax error located on an input line. */
export class LocatedSyntaxError extends ShellSyntaxError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parameter names expansions may use: POSIX names, special parameters, one-digit positionals. */
const PARAMETER = /^([A-Za-z_][A-Za-z0-9_]*|[?$#!@*\-0-9])$/;

/** The sentinel an expansion of `name` becomes (see expand.ts). */
function sentinel(name: string, quoted: boolean): string {
  return `\0${quoted ? 'q' : 'u'}${name}\0`;
}

/** shell-quote's env callback: defer every expansion as a sentinel; refuse what we cannot expand. */
function deferExpansion(key: string): string | undefined {
  const unquoted = key.startsWith(UNQUOTED);
  const name = unquoted ? key.slice(1) : key;
  if (name === '') return undefined;
  if (!PARAMETER.test(name)) throw new ShellSyntaxError(`\${${name}}: Bad substitution (only $NAME and \${NAME} expansions are supported)`);
  return sentinel(name, !unquoted);
}

/**
 * Parse console input into a script.
 * @throws LocatedSyntaxError (unterminated quote or here-document, misplaced operator, refused
 *   construct) naming the line; ShellLimitError for more than MAX_COMMANDS commands
 */
export function parseScript(input: string): Script {
  if (input.includes('\0')) throw new LocatedSyntaxError(1, 'the input holds a NUL byte');
  const lines = input.replace(/\r\n/g, '\n').split('\n');
  const script: Script = { lists: [], commands: 0 };
  let i = 0;
  while (i < lines.length) {
    const first = i + 1;
    let text = lines[i++];
    let scanned = locate(first, () => scanLine(text));
    while ((scanned.openQuote || scanned.continued) && i < lines.length) {
      text = scanned.continued ? text.slice(0, -1) + lines[i++] : `${text}\n${lines[i++]}`;
      scanned = locate(first, () => scanLine(text));
    }
    if (scanned.openQuote) throw new LocatedSyntaxError(first, 'Unterminated quoted string');
    const lists = locate(first, () => parseLine(scanned.text, scanned.heredocs, first));
    for (const doc of scanned.heredocs) i = readHereDocument(lines, i, doc, first);
    for (const list of lists) {
      script.commands += list.pipelines.reduce((n, p) => n + p.length, 0);
      script.lists.push(list);
    }
    if (script.commands > MAX_COMMANDS) throw new ShellLimitError(`too many commands in one input (more than ${MAX_COMMANDS}); run them in smaller parts`);
  }
  return script;
}

function locate<T>(line: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ShellSyntaxError && !(e instanceof LocatedSyntaxError)) throw new LocatedSyntaxError(line, e.message);
    // shell-quote's own refusal of `${}` and unbalanced braces.
    if (e instanceof Error && e.message.startsWith('Bad substitution')) throw new LocatedSyntaxError(line, e.message);
    throw e;
  }
}

/** Fill doc.body from lines[i…] up to its delimiter line; returns the index after it. */
function readHereDocument(lines: string[], i: number, doc: HereDocMark, opened: number): number {
  const body: string[] = [];
  for (; i < lines.length; i++) {
    const line = doc.strip ? lines[i].replace(/^\t+/, '') : lines[i];
    if (line === doc.delimiter) {
      doc.body = body.map((l) => `${l}\n`).join('');
      return i + 1;
    }
    body.push(line);
  }
  throw new LocatedSyntaxError(opened, `here-document opened here is not terminated: no line '${doc.delimiter}' follows`);
}

/** The and-or lists of one (scanned) line. */
function parseLine(text: string, heredocs: HereDocMark[], line: number): AndOrList[] {
  const lists: AndOrList[] = [];
  let list: AndOrList = { pipelines: [], ops: [] };
  let pipeline: Pipeline = [];
  let command: SimpleCommand = { words: [], redirect: null, heredocs: [], line };
  let expect: 'target' | 'delimiter' | null = null;
  let pendingOp: string | null = null;
  let docs = 0;

  const endCommand = (op: string): void => {
    if (command.words.length === 0 && !command.redirect && command.heredocs.length === 0) throw new ShellSyntaxError(`"${op}" unexpected`);
    pipeline.push(command);
    command = { words: [], redirect: null, heredocs: [], line };
  };
  const endPipeline = (op: string): void => {
    endCommand(op);
    list.pipelines.push(pipeline);
    pipeline = [];
  };

  for (const entry of parse(text, deferExpansion)) {
    if (typeof entry === 'string' || 'pattern' in entry) {
      // A glob pattern stays a literal word: the Dom0 view does no pathname expansion.
      const word = typeof entry === 'string' ? entry : entry.pattern;
      if (expect === 'target') command.redirect!.target = word;
      else if (expect !== 'delimiter') command.words.push(word);
      expect = null;
      pendingOp = null;
      continue;
    }
    if ('comment' in entry) break;
    const op = entry.op;
    if (expect) throw new ShellSyntaxError(`"${op}" unexpected`);
    switch (op) {
      case '>':
      case '>|':
      case '>>':
        if (command.redirect) throw new ShellSyntaxError(`"${op}": only one output redirection per command is supported`);
        command.redirect = { append: op === '>>', target: '' };
        expect = 'target';
        break;
      case '<<':
      case '<<-':
        command.heredocs.push(heredocs[docs++]);
        expect = 'delimiter';
        break;
      case '|':
        endCommand(op);
        pendingOp = op;
        break;
      case '&&':
      case '||':
        endPipeline(op);
        list.ops.push(op);
        pendingOp = op;
        break;
      case ';':
        endPipeline(op);
        lists.push(list);
        list = { pipelines: [], ops: [] };
        pendingOp = null;
        break;
      case '&':
        throw new ShellSyntaxError('"&": background jobs are not supported');
      case '<':
      case '<<<':
      case '<&':
      case '<>':
        throw new ShellSyntaxError(`"${op}": input redirection is not supported (use a here-document: <<EOF)`);
      default:
        throw new ShellSyntaxError(`"${op}" unexpected`);
    }
  }
  if (expect) throw new ShellSyntaxError('newline unexpected (a redirection needs a file name)');
  if (pendingOp) throw new ShellSyntaxError(`end of line unexpected (after "${pendingOp}")`);
  if (command.words.length > 0 || command.redirect || command.heredocs.length > 0) endPipeline('newline');
  if (list.pipelines.length > 0) lists.push(list);
  return lists;
}
