#!/usr/bin/env node
/** The `install-hooks` command: `pnpm -s install-hooks FLAGS`, or the package's bin. */
import { createInterface, type Interface } from 'node:readline';
import { run, type Io } from './cli.js';

/**
 * Answers typed on the terminal, queued as they arrive: readline's question()
 * drops a line that comes before the question (typed ahead, or piped in), and
 * rejects on end of input. End of input, Ctrl+D or Ctrl+C answer "" here,
 * which every question takes as no.
 */
class Answers {
  private readonly reader: Interface;
  private readonly queued: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private ended = false;

  constructor() {
    this.reader = createInterface({ input: process.stdin, output: process.stdout });
    this.reader.on('line', (line) => this.deliver(line));
    this.reader.on('SIGINT', () => this.reader.close());
    this.reader.on('close', () => {
      this.ended = true;
      // The cursor is still on the question's line when input ends there.
      if (this.waiting !== undefined) process.stdout.write('\n');
      this.deliver('');
    });
  }

  next(question: string): Promise<string> {
    this.reader.setPrompt(question);
    this.reader.prompt();
    const line = this.queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve('');
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.reader.close();
  }

  private deliver(line: string): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) waiting(line);
    else if (!this.ended) this.queued.push(line);
  }
}

let answers: Answers | undefined;

const terminal: Io = {
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  ask: (question) => (answers ??= new Answers()).next(question),
};

try {
  process.exitCode = await run(process.argv.slice(2), process.env, process.cwd(), terminal);
} finally {
  answers?.close();
}
