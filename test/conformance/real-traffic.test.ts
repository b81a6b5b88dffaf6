import { REAL_TRAFFIC_CASES } from '@hook-observatory/conformance/cases/real-traffic';
import { conformanceSuite } from './suite.js';

conformanceSuite('real-traffic', REAL_TRAFFIC_CASES);
