import { BODY_CASES } from './cases/bodies.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('bodies', BODY_CASES);
