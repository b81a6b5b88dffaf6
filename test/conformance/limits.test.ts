import { LIMIT_CASES } from '@hook-observatory/conformance/cases/limits';
import { conformanceSuite } from './suite.js';

conformanceSuite('limits', LIMIT_CASES);
