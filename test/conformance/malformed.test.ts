import {
  FRAMING_CASES,
  HEADER_CASES,
  REQUEST_LINE_CASES,
} from '@hook-observatory/conformance/cases/malformed';
import { conformanceSuite } from './suite.js';

conformanceSuite('request-line', REQUEST_LINE_CASES);
conformanceSuite('headers', HEADER_CASES);
conformanceSuite('framing', FRAMING_CASES);
