import { BODY_CASES } from '@hook-observatory/conformance/cases/bodies';
import { conformanceSuite } from './suite.js';

conformanceSuite('bodies', BODY_CASES);
