/**
 * The grader's stages (`pnpm -s conformance --lesson N`), as CodeCrafters
 * builds its courses: stage N holds the cases lesson N is the first lesson
 * meant to pass, so that lesson N passes stages 1 to N and a student's server
 * at step N is graded on what the lessons so far teach, no more. Lesson N is
 * the stage's reference solution: its list names the cases that lesson N and
 * every lesson after it pass (a case an early lesson passes by chance and a
 * later one fails is left to the last stage); test/conformance/stages.test.ts
 * grades every lesson on its stage. The time-based families belong to no
 * stage: each of their cases waits out a timer (grade them with --family).
 * The last stage, the full server, claims the rest: the exact byte rules.
 */

/** Stages not yet measured (their lessons came later): they claim no case yet. */
export const UNDIVIDED_STAGES: readonly number[] = [7, 8];
import { FAMILIES } from '../families.js';

export interface Stage {
  readonly lesson: number;
  readonly title: string;
  /** Where docs/lessons.md explains what the stage asks. */
  readonly read: string;
  /** The cases it claims, by family and name (the last stage claims every case left). */
  readonly cases: Readonly<Record<string, ReadonlySet<string>>>;
}

const LESSONS_NOTE = 'docs/lessons.md';
/** The note's section on what lesson N adds to the one before. */
const changesIn = (lesson: number): string => `${LESSONS_NOTE}#from-lesson-${lesson - 1}-to-lesson-${lesson}`;
const only = (...names: string[]): ReadonlySet<string> => new Set(names);

export const STAGES: readonly Stage[] = [
  {
    lesson: 1,
    title: 'one request per connection',
    read: `${LESSONS_NOTE}#the-steps`,
    // A connection that ends after one answer: the request says close, or is HTTP/1.0, or the client goes first.
    cases: {
      bodies: only('expect-100-continue-http10-ignored', 'expect-417-http10-ignored'),
      framing: only('content-length-body-short-client-closes'),
      headers: only('header-connection-close-after-empty-tokens', 'header-connection-close-then-space'),
      'keep-alive': only('close-mid-body', 'close-right-after-request', 'connection-close', 'connection-close-among-tokens', 'connection-close-in-second-header', 'connection-close-padded', 'connection-close-upper-case', 'connection-keep-alive-and-close', 'half-close-without-a-byte', 'http10-close-token', 'http10-closes-by-default', 'http10-without-host', 'pipelined-close-then-blank-lines', 'server-close-then-client-writes'),
    },
  },
  {
    lesson: 2,
    title: 'keep-alive',
    read: changesIn(2),
    // One request after another on a connection, the servers' routes, and every body a well-behaved client sends.
    cases: {
      bodies: only('body-arrays-5000-deep', 'body-arrays-at-the-depth-limit', 'body-arrays-one-past-the-depth-limit', 'body-empty-with-length-zero', 'body-forging-metadata-keys', 'body-json-array', 'body-keys-one-past-the-member-limit', 'body-large-unicode', 'body-none-without-length', 'body-not-json', 'body-not-utf8', 'body-object-5000-deep-with-a-newline', 'body-object-5000-deep-with-a-ts-key', 'body-one-mebibyte', 'unicode-body', 'unicode-body-split-inside-a-character'),
      'body-budget': only('two-under-budget-in-turn-on-one-connection', 'under-budget', 'under-budget-after-a-refusal'),
      'body-limits': only('content-length-at-limit', 'health-after-over-limit'),
      browsers: only('cross-site-eventsource-at-page-refused', 'cross-site-eventsource-at-stream-refused', 'cross-site-fetch-at-page-refused', 'cross-site-fetch-at-stream-refused', 'cross-site-fetch-no-cors-at-page-refused', 'cross-site-fetch-no-cors-at-stream-refused', 'cross-site-iframe-at-page-refused', 'cross-site-iframe-at-stream-refused', 'cross-site-img-at-page-refused', 'cross-site-img-at-stream-refused', 'cross-site-link-at-page-refused', 'cross-site-link-at-stream-refused', 'cross-site-script-at-page-refused', 'cross-site-script-at-stream-refused', 'node-fetch-hook', 'own-favicon-is-not-found', 'same-site-eventsource-at-page-refused', 'same-site-eventsource-at-stream-refused', 'same-site-fetch-at-page-refused', 'same-site-fetch-at-stream-refused', 'same-site-fetch-no-cors-at-page-refused', 'same-site-fetch-no-cors-at-stream-refused', 'same-site-iframe-at-page-refused', 'same-site-iframe-at-stream-refused', 'same-site-img-at-page-refused', 'same-site-img-at-stream-refused', 'same-site-link-at-page-refused', 'same-site-link-at-stream-refused', 'same-site-script-at-page-refused', 'same-site-script-at-stream-refused', 'site-cross-site-at-health-refused', 'site-cross-site-hook-refused-unrecorded', 'site-empty-refused', 'site-unknown-value-refused', 'site-upper-case-refused'),
      framing: only('body-with-nul-bytes', 'content-length-leading-zeros', 'content-length-padded-with-spaces'),
      headers: only('header-connection-close-quoted', 'header-connection-prefix-is-not-connection', 'header-duplicates', 'header-empty-value', 'header-host-duplicate', 'header-host-empty-over-tcp', 'header-names-any-case', 'header-no-space-after-colon', 'header-obs-text-in-value', 'header-tab-in-value', 'header-tabs-around-value', 'upgrade-http10-then-pipelined', 'upgrade-then-half-close-right-away', 'upgrade-then-next-request-later'),
      'keep-alive': only('close-after-answer', 'connection-closed-is-not-close', 'connection-upgrade-without-listener', 'half-close-after-answer', 'half-close-after-blank-lines', 'half-close-after-request', 'http10-health', 'http10-keep-alive', 'http10-keep-alive-twice', 'keep-alive-explicit-header', 'keep-alive-one-request', 'keep-alive-three-in-a-row'),
      limits: only('header-size-leading-blanks-not-counted', 'header-size-one-under-limit', 'header-size-one-under-limit-split-randomly', 'headers-count-at-limit', 'headers-count-content-length-past-limit', 'headers-count-past-limit-split-randomly'),
      'real-traffic': only('curl-hook-permission-denied', 'curl-hooks-full-session', 'curl-hooks-permission-session', 'curl-hooks-teammate-session', 'native-hooks-full-session', 'native-hooks-permission-session', 'native-hooks-teammate-session'),
      'request-line': only('target-absolute-two-at-signs-apart', 'target-absolute-with-userinfo', 'target-asterisk-on-post', 'target-authority-brackets', 'target-extra-question-marks', 'target-hash-in-fragment', 'target-odd-but-allowed-characters'),
      routing: only('method-delete-on-health', 'method-delete-on-hook', 'method-delete-on-unknown', 'method-get-on-health', 'method-get-on-hook', 'method-get-on-unknown', 'method-get-with-body', 'method-head-on-health', 'method-head-on-hook', 'method-head-on-unknown', 'method-m-search-on-health', 'method-m-search-on-hook', 'method-m-search-on-unknown', 'method-options-asterisk', 'method-options-on-health', 'method-options-on-hook', 'method-options-on-unknown', 'method-patch-on-health', 'method-patch-on-hook', 'method-patch-on-unknown', 'method-post-on-health', 'method-post-on-hook', 'method-post-on-unknown', 'method-propfind-on-health', 'method-propfind-on-hook', 'method-propfind-on-unknown', 'method-put-on-health', 'method-put-on-hook', 'method-put-on-unknown', 'method-query-on-health', 'method-query-on-hook', 'method-query-on-unknown', 'method-trace-on-health', 'method-trace-on-hook', 'method-trace-on-unknown', 'path-absolute-form', 'path-absolute-form-other-host', 'path-dot-segments', 'path-health-trailing-slash', 'path-hooks', 'path-percent-encoded-letter', 'path-semicolon', 'path-trailing-slash', 'path-upper-case', 'path-with-fragment', 'query-empty', 'query-empty-body-without-name', 'query-event-after-others', 'query-event-after-others-body-without-name', 'query-event-empty', 'query-event-empty-body-without-name', 'query-event-empty-then-set', 'query-event-empty-then-set-body-without-name', 'query-event-encoded-name', 'query-event-encoded-name-body-without-name', 'query-event-invalid-percent', 'query-event-invalid-percent-body-without-name', 'query-event-percent-encoded', 'query-event-percent-encoded-body-without-name', 'query-event-plus-as-space', 'query-event-plus-as-space-body-without-name', 'query-event-repeated', 'query-event-repeated-body-without-name', 'query-event-upper-case-name', 'query-event-upper-case-name-body-without-name', 'query-event-utf8', 'query-event-utf8-body-without-name', 'query-event-with-ampersand-encoded', 'query-event-with-ampersand-encoded-body-without-name', 'query-event-without-equals', 'query-event-without-equals-body-without-name', 'query-missing', 'query-missing-body-without-name'),
      splits: only('split-byte-by-byte', 'split-curl-request-eight-ways', 'split-curl-request-every-byte', 'split-http10-keep-alive-every-byte', 'split-largest-recorded-request-head-and-edges', 'split-largest-recorded-request-three-ways', 'split-native-request-every-byte', 'split-unicode-body-every-byte'),
      stream: only('page-origin-refused', 'stream-other-origin-refused', 'stream-other-port-origin-refused'),
    },
  },
  {
    lesson: 3,
    title: 'pipelining and half-close',
    read: changesIn(3),
    cases: {
      framing: only('content-length-body-cut-short'),
      headers: only('connection-upgrade-without-upgrade-header', 'upgrade-header-without-connection-token'),
      'keep-alive': only('half-close-after-pipelined-pair', 'half-close-mid-body', 'half-close-mid-head', 'half-close-mid-request-line', 'http10-keep-alive-then-plain', 'pipelined-hundred-no-per-socket-limit', 'pipelined-last-one-closes', 'pipelined-mixed-routes', 'pipelined-three-in-one-write'),
      limits: only('header-size-per-request-on-one-connection', 'headers-count-per-request', 'requests-per-connection-unlimited'),
      routing: only('method-head-on-hook-pipelined-with-get'),
      splits: only('split-pipelined-pair-every-byte'),
    },
  },
  {
    lesson: 4,
    title: 'chunked bodies',
    read: changesIn(4),
    cases: {
      bodies: only('body-two-mebibytes-chunked', 'chunked-after-gzip', 'chunked-coding-upper-case', 'chunked-empty-body', 'chunked-half-close-after-last-chunk', 'chunked-http10', 'chunked-in-second-header', 'chunked-pipelined-pair', 'chunked-single-byte-chunks', 'chunked-split-everywhere-interesting', 'chunked-two-chunks', 'chunked-upper-case-hex-and-leading-zeros', 'chunked-with-bare-extension', 'chunked-with-extension', 'chunked-with-quoted-extension', 'chunked-with-trailers'),
      'body-limits': only('chunked-at-limit'),
      framing: only('chunk-extension-empty-name', 'chunk-extension-empty-value', 'chunk-extension-quote-inside-value', 'chunk-extension-quoted-pair', 'chunk-extension-two-semicolons', 'chunk-extensions-exactly-at-limit', 'chunk-extensions-just-under-limit', 'chunk-extensions-limit-is-per-chunk', 'chunk-extensions-several', 'chunk-size-largest', 'chunk-trailer-fields', 'chunked-cut-short-before-last-chunk', 'chunked-cut-short-in-data', 'chunked-cut-short-in-trailers', 'transfer-encoding-chunked-padded', 'transfer-encoding-list-with-tabs', 'transfer-encoding-quoted-comma-token'),
      limits: only('headers-count-trailers-past-limit'),
      splits: only('split-byte-by-byte-chunked', 'split-chunked-extensions-trailers-every-byte'),
    },
  },
  {
    lesson: 5,
    title: 'Expect: 100-continue',
    read: changesIn(5),
    cases: {
      bodies: only('expect-100-continue-body-in-same-write', 'expect-100-continue-connection-close', 'expect-100-continue-empty-body', 'expect-100-continue-head-then-body', 'expect-100-continue-health', 'expect-100-continue-in-a-list', 'expect-100-continue-large-body-like-curl', 'expect-100-continue-misspelt-417', 'expect-100-continue-mixed-case', 'expect-100-continue-pipelined-pair', 'expect-100-continue-split', 'expect-100-continue-then-keep-alive', 'expect-100-continue-twice', 'expect-417-head-request', 'expect-417-then-next-request', 'expect-417-with-connection-close', 'expect-empty-417', 'expect-other-417'),
      'body-limits': only('chunked-over-limit-unknown-expectation', 'content-length-at-limit-expect-continue', 'content-length-over-limit-unknown-expectation', 'content-length-over-limit-without-host'),
      headers: only('header-host-missing-head-request', 'header-host-missing-http11', 'header-host-missing-with-keep-alive'),
      'real-traffic': only('curl-hook-over-one-mebibyte-expect-continue'),
      splits: only('split-expect-continue-every-byte'),
    },
  },
  {
    lesson: 6,
    title: 'limits, timeouts and errors',
    read: changesIn(6),
    cases: {
      'body-limits': only('chunked-over-limit-in-one-chunk', 'chunked-over-limit-one-write', 'chunked-over-limit-split', 'content-length-far-over-limit', 'content-length-over-limit', 'content-length-over-limit-expect-continue', 'head-over-limit', 'health-over-limit', 'hook-from-a-web-page-over-limit'),
      framing: only('chunk-data-bare-lf', 'chunk-data-longer-than-size', 'chunk-data-without-crlf', 'chunk-extension-space-before-semicolon', 'chunk-last-bare-lf', 'chunk-size-bare-lf', 'chunk-size-cr-without-lf', 'chunk-size-hex-prefix', 'chunk-size-missing', 'chunk-size-negative', 'chunk-size-not-hex', 'chunk-size-space-after', 'chunk-size-space-before', 'chunk-size-tab-after', 'content-length-and-transfer-encoding', 'content-length-blank', 'content-length-empty', 'content-length-hex', 'content-length-largest-int64', 'content-length-largest-uint64', 'content-length-list', 'content-length-negative', 'content-length-not-a-number', 'content-length-over-int64', 'content-length-plus-sign', 'content-length-space-inside', 'content-length-trailing-garbage', 'content-length-twice-one-blank', 'transfer-encoding-and-content-length', 'transfer-encoding-and-content-length-http10', 'transfer-encoding-and-content-length-zero', 'transfer-encoding-chunked-then-gzip', 'transfer-encoding-chunked-then-header-gzip', 'transfer-encoding-chunked-trailing-comma', 'transfer-encoding-chunked-x', 'transfer-encoding-gzip-only', 'transfer-encoding-identity', 'transfer-encoding-xchunked'),
      headers: only('header-empty-name', 'header-obs-fold', 'header-obs-fold-after-empty-value', 'header-obs-fold-with-tab', 'header-without-colon', 'upgrade-then-good-request-answered'),
      'keep-alive': only('blank-lines-between-requests'),
      limits: only('header-size-at-limit', 'header-size-at-limit-split-randomly', 'header-size-far-over-limit', 'header-size-many-small-headers', 'header-size-target-alone', 'header-size-trailing-blanks-counted'),
      'request-line': only('method-pri-http2-preface-only', 'request-line-bare-lf', 'request-line-cr-without-lf', 'request-line-empty-target', 'request-line-garbage', 'request-line-ice-protocol-other-method', 'request-line-leading-space', 'request-line-method-only', 'request-line-no-target', 'request-line-rtsp-protocol-http-only-method', 'request-line-tab-after-method', 'request-line-trailing-space', 'request-line-version-1.2', 'request-line-version-3.0', 'request-line-version-lower-case', 'request-line-version-missing-minor', 'request-line-version-two-digit-minor', 'target-form-feed-inside', 'target-tab-inside'),
      splits: only('split-smuggling-attempt-every-byte'),
    },
  },
  // Lessons 7 and 8 landed after the stages were measured: their cases are still in the last stage.
  { lesson: 7, title: 'a parser that reads each byte once', read: changesIn(7), cases: {} },
  { lesson: 8, title: 'the event stream by hand', read: changesIn(8), cases: {} },
  { lesson: 9, title: 'the full raw server', read: changesIn(9), cases: {} },
];

const TIMED = new Set(FAMILIES.filter((family) => family.timed).map((family) => family.family));

/** The stage of a case (its lesson), or undefined for a time-based one. */
export function stageOf(family: string, caseName: string): number | undefined {
  if (TIMED.has(family)) return undefined;
  return (STAGES.find((stage) => stage.cases[family]?.has(caseName)) ?? STAGES.at(-1)!).lesson;
}
