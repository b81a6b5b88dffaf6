/**
 * A session's tokens and cost from its transcript (core/src/transcript-usage.ts,
 * session-usage.ts, usage-prices.ts): what is counted, what is read, and what
 * is refused. The fixture follows Claude Code's JSON lines (one message over
 * several lines with one message.id and requestId, a sub-agent's line on
 * another model, an API error Claude Code writes itself with no tokens).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import {
  checkTranscriptPath,
  SessionUsage,
  TRANSCRIPT_MISSING,
  TRANSCRIPT_REFUSED,
  UNKNOWN_SESSION,
} from '@hook-observatory/core/internal/session-usage';
import {
  claudeProjectsDir,
  LineSplitter,
  tallyTranscript,
  usageOfLine,
} from '@hook-observatory/core/internal/transcript-usage';
import { costOf, priceOf } from '@hook-observatory/core/internal/usage-prices';
import { tempDirs } from '../helpers/temp-dirs.js';

const FIXTURE_CONFIG = join(ROOT, 'packages/conformance/traffic/claude-config');
const FIXTURE_SESSION = '5b2c1a9e-0d4f-4c8b-9a11-3e7f2d6c8b40';
const FIXTURE = join(FIXTURE_CONFIG, 'projects/-home-dev-project', `${FIXTURE_SESSION}.jsonl`);

const temp = tempDirs('transcript-usage-');
afterEach(() => temp.removeAll());

const assistantLine = (id: string, model: string, usage: object): string =>
  JSON.stringify({
    type: 'assistant',
    requestId: `req_${id}`,
    message: { id, role: 'assistant', model, content: [], usage },
  });

/** A projects directory in a temporary config directory, with `files` (name → content) in one project. */
function projects(files: Readonly<Record<string, string>> = {}): { dir: string; project: string } {
  const dir = join(temp.make(), 'projects');
  const project = join(dir, '-home-dev-project');
  mkdirSync(project, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(project, name), content);
  return { dir, project };
}

async function tallyOf(path: string, limits?: { readBytes: number; lineBytes: number }) {
  const handle = await open(path, 'r');
  try {
    return await tallyTranscript(handle, (await handle.stat()).size, limits);
  } finally {
    await handle.close();
  }
}

describe('the fixture, counted', () => {
  it('each message once, by model, with its cost', async () => {
    const tally = await tallyOf(FIXTURE);
    expect(Object.fromEntries(tally.models)).toEqual({
      'claude-sonnet-4-5-20250929': {
        messages: 2,
        long_context_messages: 0,
        input_tokens: 20,
        output_tokens: 470,
        cache_creation_input_tokens: 21_500,
        cache_read_input_tokens: 20_000,
        cache_creation_1h_input_tokens: 21_500,
      },
      'claude-haiku-4-5-20251001': {
        messages: 1,
        long_context_messages: 0,
        input_tokens: 900,
        output_tokens: 60,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation_1h_input_tokens: 0,
      },
      '<synthetic>': {
        messages: 1,
        long_context_messages: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation_1h_input_tokens: 0,
      },
    });
    expect(tally).toMatchObject({ lines: 9, from: 0, overlongLines: 0, unreadableLines: 0 });
  });

  it('the answer: totals, each model priced, <synthetic> unpriced but spent nothing', async () => {
    const usage = new SessionUsage(join(FIXTURE_CONFIG, 'projects'));
    usage.note([{ session_id: FIXTURE_SESSION, transcript_path: FIXTURE }]);
    const answer = await usage.answer(FIXTURE_SESSION);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body['total']).toEqual({
      messages: 4,
      input_tokens: 920,
      output_tokens: 530,
      cache_creation_input_tokens: 21_500,
      cache_read_input_tokens: 20_000,
      // Sonnet 4.5: 20 × $3 + 21,500 one-hour writes × $6 + 20,000 hits × $0.30 + 470 × $15, per million;
      // Haiku 4.5: 900 × $1 + 60 × $5, per million.
      cost_usd: 0.14331,
    });
    expect(body['unpriced_models']).toEqual([]);
    expect(body['long_context_models']).toEqual([]);
    expect(body['read']).toEqual({
      size: 4886,
      from: 0,
      bytes: 4886,
      whole: true,
      lines: 9,
      overlong_lines: 0,
      unreadable_lines: 0,
    });
  });
});

describe('prices', () => {
  const cases: ReadonlyArray<readonly [model: string, input: number | undefined]> = [
    ['claude-sonnet-4-5-20250929', 3],
    ['claude-sonnet-4-20250514', 3],
    ['claude-opus-4-1-20250805', 15],
    ['claude-opus-4-5-20251101', 5],
    ['claude-opus-4-6', 5],
    ['claude-opus-4-6[1m]', 5],
    ['claude-haiku-4-5-20251001', 1],
    ['claude-3-5-haiku-20241022', 0.8],
    // Another model, not a neighbour's row: counted without a cost.
    ['claude-opus-4-9', undefined],
    ['claude-sonnet-5-5', undefined],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', undefined],
    ['<synthetic>', undefined],
  ];
  it.for(cases)('%s costs %s a million input tokens', ([model, input]) => {
    expect(priceOf(model)?.inputPerMTok).toBe(input);
  });

  it('a five-minute write costs 1.25 input, an hour-long one 2, a hit 0.1', () => {
    const tokens = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 3_000_000,
      cache_read_input_tokens: 1_000_000,
      cache_creation_1h_input_tokens: 1_000_000,
    };
    // 2M × 1.25 + 1M × 2 + 1M × 0.1, at $1 a million.
    expect(costOf(tokens, { inputPerMTok: 1, outputPerMTok: 5 })).toBe(4.6);
  });

  it('an unknown model: its tokens counted, no cost, and named', async () => {
    const { dir, project } = projects({
      'a.jsonl': `${assistantLine('m1', 'claude-sonnet-5-5', { input_tokens: 10, output_tokens: 5 })}\n`,
    });
    const usage = new SessionUsage(dir);
    usage.note([{ session_id: 's', transcript_path: join(project, 'a.jsonl') }]);
    const body = JSON.parse((await usage.answer('s')).body) as Record<string, unknown>;
    expect(body['unpriced_models']).toEqual(['claude-sonnet-5-5']);
    expect(body['models']).toEqual([
      {
        model: 'claude-sonnet-5-5',
        messages: 1,
        long_context_messages: 0,
        input_tokens: 10,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cost_usd: null,
      },
    ]);
    expect(body['total']).toMatchObject({ input_tokens: 10, cost_usd: 0 });
  });
});

describe('a request past 200K input tokens', () => {
  const SONNET = 'claude-sonnet-4-5-20250929';
  it.for([
    {
      name: 'at-200k-exactly-is-not-past-it',
      model: SONNET,
      usages: [{ input_tokens: 1_000, cache_read_input_tokens: 199_000 }],
      longContext: 0,
      models: [],
    },
    {
      name: 'one-past-counting-cache-writes-and-reads-is',
      model: SONNET,
      usages: [
        { input_tokens: 1, cache_creation_input_tokens: 100_000, cache_read_input_tokens: 100_000 },
      ],
      longContext: 1,
      models: [SONNET],
    },
    {
      name: 'output-does-not-count-toward-it',
      model: SONNET,
      usages: [{ input_tokens: 100, output_tokens: 300_000 }],
      longContext: 0,
      models: [],
    },
    {
      name: 'each-message-on-its-own-not-their-sum',
      model: SONNET,
      usages: [{ input_tokens: 150_000 }, { input_tokens: 150_000 }, { input_tokens: 250_000 }],
      longContext: 1,
      models: [SONNET],
    },
    {
      name: 'an-unpriced-model-is-named-unpriced-only',
      model: 'claude-sonnet-5-5',
      usages: [{ input_tokens: 300_000 }],
      longContext: 1,
      models: [],
    },
  ])('$name', async ({ model, usages, longContext, models }) => {
    const lines = usages.map((usage, index) => assistantLine(`m${index}`, model, usage));
    const { dir, project } = projects({ 'a.jsonl': `${lines.join('\n')}\n` });
    const usage = new SessionUsage(dir);
    usage.note([{ session_id: 's', transcript_path: join(project, 'a.jsonl') }]);
    const body = JSON.parse((await usage.answer('s')).body) as {
      models: Array<Record<string, unknown>>;
      long_context_models: string[];
    };
    expect(body.models[0]).toMatchObject({ model, long_context_messages: longContext });
    expect(body.long_context_models).toEqual(models);
  });

  it('its-cost-is-at-the-standard-rates', async () => {
    const { dir, project } = projects({
      'a.jsonl': `${assistantLine('m1', SONNET, { input_tokens: 1, cache_creation_input_tokens: 100_000, cache_read_input_tokens: 100_000, output_tokens: 1_000 })}\n`,
    });
    const usage = new SessionUsage(dir);
    usage.note([{ session_id: 's', transcript_path: join(project, 'a.jsonl') }]);
    const body = JSON.parse((await usage.answer('s')).body) as Record<string, unknown>;
    // 1 × $3 + 100,000 five-minute writes × $3.75 + 100,000 hits × $0.30 + 1,000 × $15, per million.
    expect(body['total']).toMatchObject({ cost_usd: 0.420003 });
    expect(body['long_context_models']).toEqual([SONNET]);
  });
});

describe('lines', () => {
  const split = (chunks: readonly string[], maxLine: number): string[] => {
    const seen: string[] = [];
    const splitter = new LineSplitter(
      maxLine,
      (line) => seen.push(line.toString()),
      () => seen.push('<overlong>'),
    );
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
    return seen;
  };
  const cases: ReadonlyArray<
    readonly [name: string, chunks: string[], max: number, lines: string[]]
  > = [
    ['one chunk', ['a\nbb\n'], 10, ['a', 'bb']],
    ['a line over three chunks', ['a', 'bc', 'd\ne'], 10, ['abcd', 'e']],
    ['the last line without a line feed', ['a\nb'], 10, ['a', 'b']],
    ['an overlong line dropped as it comes', ['aaaa', 'aaaa\nb\n'], 5, ['<overlong>', 'b']],
    ['empty lines are none', ['\n\na\n\n'], 10, ['a']],
  ];
  it.for(cases)('%s', ([, chunks, max, lines]) => {
    expect(split(chunks, max)).toEqual(lines);
  });

  it('deep JSON, or a million keys, on a line that looks like usage: unreadable, never parsed', () => {
    const deep = `{"type":"assistant","usage":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(usageOfLine(Buffer.from(deep))).toBe('unreadable');
    const keys = Array.from({ length: 60_000 }, (_, index) => `"k${index}":0`).join(',');
    expect(usageOfLine(Buffer.from(`{"type":"assistant","usage":{${keys}}}`))).toBe('unreadable');
  });

  it('a line that only mentions usage is no message', () => {
    const line = JSON.stringify({ type: 'user', message: { content: '"assistant" "usage"' } });
    expect(usageOfLine(Buffer.from(line))).toBeUndefined();
  });

  it('past the read bound, the end only: the cut line skipped, the overlong counted', async () => {
    const one = assistantLine('m1', 'claude-haiku-4-5', { input_tokens: 1, output_tokens: 1 });
    const two = assistantLine('m2', 'claude-haiku-4-5', { input_tokens: 2, output_tokens: 2 });
    const { project } = projects({ 'a.jsonl': `${one}\n${'x'.repeat(300)}\n${two}\n` });
    const tally = await tallyOf(join(project, 'a.jsonl'), {
      readBytes: two.length + 1 + 300 + 1 + 5,
      lineBytes: 200,
    });
    expect(tally.from).toBeGreaterThan(0);
    expect(tally.overlongLines).toBe(1);
    expect([...tally.models.values()]).toMatchObject([{ messages: 1, input_tokens: 2 }]);
  });
});

describe('which paths are read', () => {
  it('under the projects directory: read; elsewhere, or through a link out: refused', async () => {
    const { dir, project } = projects({ 'a.jsonl': '', 'a.txt': '' });
    const outside = temp.make();
    writeFileSync(join(outside, 'secret.jsonl'), '');
    symlinkSync(join(outside, 'secret.jsonl'), join(project, 'link.jsonl'));
    symlinkSync(outside, join(project, 'linked-dir'));
    const cases: ReadonlyArray<readonly [path: string, expected: unknown]> = [
      [join(project, 'a.jsonl'), { real: join(project, 'a.jsonl') }],
      [join(project, 'missing.jsonl'), 'missing'],
      [join(project, 'a.txt'), 'refused'],
      [join(project, 'link.jsonl'), 'refused'],
      [join(project, 'linked-dir', 'secret.jsonl'), 'refused'],
      [join(project, '..', '..', '..', 'secret.jsonl'), 'refused'],
      [join(outside, 'secret.jsonl'), 'refused'],
      [join(outside, 'missing.jsonl'), 'refused'],
      ['relative/a.jsonl', 'refused'],
    ];
    for (const [path, expected] of cases) {
      expect([path, await checkTranscriptPath(path, dir)]).toEqual([path, expected]);
    }
  });

  it('a config directory reached through a link is still the projects directory', async () => {
    const { dir, project } = projects({ 'a.jsonl': '' });
    const link = join(temp.make(), 'claude');
    symlinkSync(join(dir, '..'), link);
    const named = join(link, 'projects', '-home-dev-project', 'a.jsonl');
    expect(await checkTranscriptPath(named, join(link, 'projects'))).toEqual({
      real: join(project, 'a.jsonl'),
    });
  });

  it('the answers: unknown session, missing, refused, a FIFO refused without blocking', async () => {
    const { dir, project } = projects();
    execFileSync('mkfifo', [join(project, 'fifo.jsonl')]);
    const usage = new SessionUsage(dir);
    usage.note([
      { session_id: 'missing', transcript_path: join(project, 'gone.jsonl') },
      { session_id: 'outside', transcript_path: '/etc/passwd.jsonl' },
      { session_id: 'fifo', transcript_path: join(project, 'fifo.jsonl') },
      { session_id: 'not-a-string', transcript_path: 42 },
    ]);
    expect(await usage.answer('nobody')).toBe(UNKNOWN_SESSION);
    expect(await usage.answer('not-a-string')).toBe(UNKNOWN_SESSION);
    expect(await usage.answer('missing')).toBe(TRANSCRIPT_MISSING);
    expect(await usage.answer('outside')).toBe(TRANSCRIPT_REFUSED);
    expect(await usage.answer('fifo')).toBe(TRANSCRIPT_REFUSED);
  });

  it('the log tail names transcripts too; the latest event a session had wins', async () => {
    const usage = new SessionUsage(join(FIXTURE_CONFIG, 'projects'));
    usage.noteLine(Buffer.from(JSON.stringify({ session_id: 's', transcript_path: '/x.jsonl' })));
    usage.noteLine(Buffer.from('not json "transcript_path"'));
    expect(await usage.answer('s')).toBe(TRANSCRIPT_REFUSED);
    usage.note([{ session_id: 's', transcript_path: FIXTURE }]);
    expect((await usage.answer('s')).status).toBe(200);
  });

  it('$CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects', () => {
    expect(claudeProjectsDir({ CLAUDE_CONFIG_DIR: '/cfg' })).toBe('/cfg/projects');
    expect(claudeProjectsDir({ CLAUDE_CONFIG_DIR: '' })).toMatch(/\/\.claude\/projects$/);
  });
});
