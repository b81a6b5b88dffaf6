/**
 * What a session's tokens cost, estimated from list prices (transcript-usage.ts
 * counts the tokens). An estimate: what a user pays depends on the plan (a
 * subscription pays no per-token price at all), batch or regional rates, and
 * the long-context rate, none of which a transcript says.
 */

/** US dollars per million tokens of a model's base input and of its output. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/**
 * List prices by model id, without its date (`claude-sonnet-4-5-20250929` is
 * `claude-sonnet-4-5`). Source: Anthropic, "Pricing"
 * (platform.claude.com/docs/en/about-claude/pricing, formerly
 * docs.anthropic.com/en/docs/about-claude/pricing), "Model pricing" table,
 * read 2026-12-07. Only rows read there are here: any other model (a newer
 * one, or one served under another name, as on Bedrock) is counted in tokens
 * without a cost, and the answer names it (`unpriced_models`). Not applied:
 * the higher rate some models charge for a request past 200K input tokens
 * (LONG_CONTEXT_INPUT_TOKENS): the rows hold only the standard rates.
 */
export const MODEL_PRICES: ReadonlyArray<readonly [prefix: string, price: ModelPrice]> = [
  ['claude-opus-4-8', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-7', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-6', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-5', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-1', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-opus-4', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-sonnet-4-5', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-sonnet-4', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-3-7-sonnet', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-haiku-4-5', { inputPerMTok: 1, outputPerMTok: 5 }],
  ['claude-3-5-haiku', { inputPerMTok: 0.8, outputPerMTok: 4 }],
  ['claude-3-haiku', { inputPerMTok: 0.25, outputPerMTok: 1.25 }],
];

/**
 * Prompt caching's rates, as multiples of the base input price (the same
 * page, "Prompt caching"): a 5-minute cache write 1.25, a 1-hour write 2,
 * a cache hit 0.1. A transcript that does not split its writes by lifetime
 * has them priced as 5-minute writes.
 */
export const CACHE_WRITE_5M_FACTOR = 1.25;
export const CACHE_WRITE_1H_FACTOR = 2;
export const CACHE_READ_FACTOR = 0.1;

/**
 * A request whose input (uncached, cache writes and cache reads together) passes
 * this many tokens may be charged a higher long-context rate. Which models do, and
 * at what rate, the page read for MODEL_PRICES did not give, so no such rate is
 * applied: such requests are counted (`long_context_messages`), and the answer
 * names their models as priced at standard rates (`long_context_models`).
 */
export const LONG_CONTEXT_INPUT_TOKENS = 200_000;

/** A request's input tokens, as the long-context threshold counts them. */
export function inputOf(tokens: TokenCounts): number {
  return tokens.input_tokens + tokens.cache_creation_input_tokens + tokens.cache_read_input_tokens;
}

/** Tokens of one model, as the Messages API's `usage` counts them. */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** Of cache_creation_input_tokens, those written for an hour (`usage.cache_creation.ephemeral_1h_input_tokens`). */
  cache_creation_1h_input_tokens: number;
}

/**
 * A model id's date, and a bracketed variant Claude Code may add
 * (`claude-opus-4-6[1m]`): what may follow the name. Anything else is
 * another model: `claude-opus-4-9` is not `claude-opus-4`.
 */
const MODEL_SUFFIX = /^(?:-\d{8})?(?:\[[^\]]*\])?$/;

/** The row for a model id, or undefined for a model the table does not hold. */
export function priceOf(model: string): ModelPrice | undefined {
  for (const [name, price] of MODEL_PRICES) {
    if (model.startsWith(name) && MODEL_SUFFIX.test(model.slice(name.length))) return price;
  }
  return undefined;
}

/** The dollars these tokens cost at `price`, to the millionth of a dollar. */
export function costOf(tokens: TokenCounts, price: ModelPrice): number {
  const perToken = price.inputPerMTok / 1_000_000;
  const oneHour = Math.min(
    tokens.cache_creation_1h_input_tokens,
    tokens.cache_creation_input_tokens,
  );
  const dollars =
    tokens.input_tokens * perToken +
    (tokens.cache_creation_input_tokens - oneHour) * perToken * CACHE_WRITE_5M_FACTOR +
    oneHour * perToken * CACHE_WRITE_1H_FACTOR +
    tokens.cache_read_input_tokens * perToken * CACHE_READ_FACTOR +
    (tokens.output_tokens * price.outputPerMTok) / 1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
