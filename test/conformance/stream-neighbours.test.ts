import {
  STREAM_NEIGHBOUR_CASES,
  STREAM_NEIGHBOUR_TIMED_CASES,
  STREAM_NEIGHBOURS_ENVIRONMENT,
  STREAM_NEIGHBOURS_TIMED_ENVIRONMENT,
} from '@hook-observatory/conformance/cases/stream-neighbours';
import { conformanceSuite } from './suite.js';

conformanceSuite('stream-neighbours', STREAM_NEIGHBOUR_CASES, {
  env: STREAM_NEIGHBOURS_ENVIRONMENT,
});
conformanceSuite('stream-neighbours-timed', STREAM_NEIGHBOUR_TIMED_CASES, {
  env: STREAM_NEIGHBOURS_TIMED_ENVIRONMENT,
});
