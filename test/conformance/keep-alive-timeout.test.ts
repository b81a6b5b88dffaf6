import {
  KEEP_ALIVE_ENV,
  KEEP_ALIVE_TIMEOUT_CASES,
} from '@hook-observatory/conformance/cases/timeouts';
import { conformanceSuite } from './suite.js';

conformanceSuite('keep-alive-timeout', KEEP_ALIVE_TIMEOUT_CASES, { env: KEEP_ALIVE_ENV });
