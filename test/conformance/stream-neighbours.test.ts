import {
  STREAM_NEIGHBOUR_CASES,
  STREAM_NEIGHBOUR_TIMED_CASES,
  STREAM_NEIGHBOURS_ENVIRONMENT,
  STREAM_NEIGHBOURS_TIMED_ENVIRONMENT,
} from './cases/stream-neighbours.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('stream-neighbours', STREAM_NEIGHBOUR_CASES, { env: STREAM_NEIGHBOURS_ENVIRONMENT });
conformanceSuite('stream-neighbours-timed', STREAM_NEIGHBOUR_TIMED_CASES, { env: STREAM_NEIGHBOURS_TIMED_ENVIRONMENT });
