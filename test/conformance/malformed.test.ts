import { FRAMING_CASES, HEADER_CASES, REQUEST_LINE_CASES } from './cases/malformed.js';
import { conformanceSuite } from './harness/suite.js';

conformanceSuite('request-line', REQUEST_LINE_CASES);
conformanceSuite('headers', HEADER_CASES);
conformanceSuite('framing', FRAMING_CASES);
