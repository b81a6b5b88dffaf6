import { SPLIT_CASES } from './cases/splits.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('splits', SPLIT_CASES);
