import { ROUTING_CASES } from '@hook-observatory/conformance/cases/routing';
import { conformanceSuite } from './suite.js';

conformanceSuite('routing', ROUTING_CASES);
