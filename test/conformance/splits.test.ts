import { SPLIT_CASES } from '@hook-observatory/conformance/cases/splits';
import { conformanceSuite } from './suite.js';

conformanceSuite('splits', SPLIT_CASES);
