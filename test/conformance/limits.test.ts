import { LIMIT_CASES } from './cases/limits.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('limits', LIMIT_CASES);
