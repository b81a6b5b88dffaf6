import {
  SHUTDOWN_CASES,
  SHUTDOWN_ENVIRONMENT,
  SHUTDOWN_TIMEOUT_CASES,
  SHUTDOWN_TIMEOUTS_ENVIRONMENT,
} from '@hook-observatory/conformance/cases/shutdown';
import { conformanceSuite } from './suite.js';

// Not in families.ts: the grader plays each family on one server it keeps, and cannot stop it mid-family.
conformanceSuite('shutdown', SHUTDOWN_CASES, { env: SHUTDOWN_ENVIRONMENT });
conformanceSuite('shutdown-timeouts', SHUTDOWN_TIMEOUT_CASES, {
  env: SHUTDOWN_TIMEOUTS_ENVIRONMENT,
});
