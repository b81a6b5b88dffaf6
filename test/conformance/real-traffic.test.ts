import { REAL_TRAFFIC_CASES } from './cases/real-traffic.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('real-traffic', REAL_TRAFFIC_CASES);
