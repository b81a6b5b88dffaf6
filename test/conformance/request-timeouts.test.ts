import { REQUEST_TIMEOUT_CASES, REQUEST_TIMEOUT_ENV } from './cases/timeouts.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('request-timeouts', REQUEST_TIMEOUT_CASES, { env: REQUEST_TIMEOUT_ENV });
