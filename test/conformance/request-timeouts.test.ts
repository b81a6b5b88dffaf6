import {
  REQUEST_TIMEOUT_CASES,
  REQUEST_TIMEOUT_ENV,
} from '@hook-observatory/conformance/cases/timeouts';
import { conformanceSuite } from './suite.js';

conformanceSuite('request-timeouts', REQUEST_TIMEOUT_CASES, { env: REQUEST_TIMEOUT_ENV });
