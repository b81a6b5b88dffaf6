import { KEEP_ALIVE_ENV, KEEP_ALIVE_TIMEOUT_CASES } from './cases/timeouts.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('keep-alive-timeout', KEEP_ALIVE_TIMEOUT_CASES, { env: KEEP_ALIVE_ENV });
