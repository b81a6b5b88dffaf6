import { KEEP_ALIVE_CASES } from './cases/keep-alive.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('keep-alive', KEEP_ALIVE_CASES);
