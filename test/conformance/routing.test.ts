import { ROUTING_CASES } from './cases/routing.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('routing', ROUTING_CASES);
