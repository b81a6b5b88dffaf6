import { KEEP_ALIVE_CASES } from '@hook-observatory/conformance/cases/keep-alive';
import { conformanceSuite } from './suite.js';

conformanceSuite('keep-alive', KEEP_ALIVE_CASES);
