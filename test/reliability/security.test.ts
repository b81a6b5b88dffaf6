/**
 * Local security, on both servers and both transports: what a web page, a
 * DNS-rebinding page or another local user can and cannot do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import {
  SERVER_NAMES,
  TRANSPORTS,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

const TOKEN = 's3cret-token-for-tests';

function clientFor(server: RunningServer): Client {
  return server.transport === 'unix'
    ? new Client('http://localhost', { socketPath: server.socketPath })
    : new Client(server.origin);
}

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers: Record<string, string>;
  /** The status over TCP, and over a Unix socket where it differs (no browser reaches a Unix socket). */
  readonly status: number;
  readonly unixStatus?: number;
  readonly recorded: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const cases: Case[] = [
  { name: 'plain-hook-is-recorded', headers: JSON_TYPE, status: 200, recorded: true },
  {
    name: 'json-with-charset-is-recorded',
    headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    status: 200,
    recorded: true,
  },
  {
    name: 'text-plain-from-a-page-is-refused',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    recorded: false,
  },
  { name: 'typeless-body-is-refused', headers: {}, status: 415, recorded: false },
  {
    name: 'form-post-is-refused',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    recorded: false,
  },
  {
    name: 'origin-is-refused',
    headers: { ...JSON_TYPE, origin: 'https://evil.example' },
    status: 403,
    recorded: false,
  },
  {
    name: 'null-origin-is-refused',
    headers: { ...JSON_TYPE, origin: 'null' },
    status: 403,
    recorded: false,
  },
  {
    name: 'origin-on-health-is-refused',
    method: 'GET',
    path: '/health',
    headers: { origin: 'https://evil.example' },
    status: 403,
    recorded: false,
  },
  {
    name: 'rebound-host-is-misdirected',
    headers: { ...JSON_TYPE, host: 'evil.example:23518' },
    status: 421,
    unixStatus: 200,
    recorded: false,
  },
  {
    name: 'rebound-host-on-health-is-misdirected',
    method: 'GET',
    path: '/health',
    headers: { host: 'evil.example' },
    status: 421,
    unixStatus: 200,
    recorded: false,
  },
  {
    name: 'origin-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: { origin: 'https://evil.example' },
    status: 403,
    recorded: false,
  },
  {
    name: 'rebound-host-on-events-is-misdirected',
    method: 'GET',
    path: '/events',
    headers: { host: 'evil.example' },
    status: 421,
    unixStatus: 200,
    recorded: false,
  },
  // The live view's own origin (http:// and the Host) may read the page and the stream, nothing else.
  {
    name: 'own-origin-on-page-is-fine',
    method: 'GET',
    path: '/',
    headers: { host: 'localhost:23518', origin: 'http://localhost:23518' },
    status: 200,
    unixStatus: 403,
    recorded: false,
  },
  {
    name: 'own-origin-on-events-is-fine',
    method: 'GET',
    path: '/events',
    headers: { host: 'localhost:23518', origin: 'http://LocalHost:23518' },
    status: 200,
    unixStatus: 403,
    recorded: false,
  },
  {
    name: 'own-origin-on-hook-is-refused',
    headers: { ...JSON_TYPE, host: 'localhost:23518', origin: 'http://localhost:23518' },
    status: 403,
    recorded: false,
  },
  {
    name: 'own-origin-on-health-is-refused',
    method: 'GET',
    path: '/health',
    headers: { host: 'localhost:23518', origin: 'http://localhost:23518' },
    status: 403,
    recorded: false,
  },
  {
    name: 'other-port-origin-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: { host: 'localhost:23518', origin: 'http://localhost:23519' },
    status: 403,
    recorded: false,
  },
  {
    name: 'https-origin-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: { host: 'localhost:23518', origin: 'https://localhost:23518' },
    status: 403,
    recorded: false,
  },
  {
    name: 'longer-origin-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: { host: 'localhost:23518', origin: 'http://localhost:23518.evil.example' },
    status: 403,
    recorded: false,
  },
  {
    name: 'other-loopback-name-origin-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: { host: 'localhost:23518', origin: 'http://127.0.0.1:23518' },
    status: 403,
    recorded: false,
  },
  // What a page of another site makes a browser send without Origin (docs/security.md has Chromium's table).
  {
    name: 'cross-site-img-on-events-is-refused',
    method: 'GET',
    path: '/events',
    headers: {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-dest': 'image',
    },
    status: 403,
    recorded: false,
  },
  {
    name: 'same-site-iframe-on-page-is-refused',
    method: 'GET',
    path: '/',
    headers: {
      'sec-fetch-site': 'same-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'iframe',
    },
    status: 403,
    recorded: false,
  },
  {
    name: 'cross-site-hook-is-refused',
    headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' },
    status: 403,
    recorded: false,
  },
  {
    name: 'own-eventsource-is-fine',
    method: 'GET',
    path: '/events',
    headers: {
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'cors',
      'sec-fetch-dest': 'empty',
    },
    status: 200,
    recorded: false,
  },
  {
    name: 'typed-address-is-fine',
    method: 'GET',
    path: '/',
    headers: {
      'sec-fetch-site': 'none',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    },
    status: 200,
    recorded: false,
  },
  {
    name: 'node-fetch-hook-is-recorded',
    headers: { ...JSON_TYPE, 'sec-fetch-mode': 'cors' },
    status: 200,
    recorded: true,
  },
  {
    name: 'localhost-host-is-fine',
    headers: { ...JSON_TYPE, host: 'LocalHost:23518' },
    status: 200,
    recorded: true,
  },
  {
    name: 'ipv6-loopback-host-is-fine',
    headers: { ...JSON_TYPE, host: '[::1]:23518' },
    status: 200,
    recorded: true,
  },
];

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server', (name) => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(name, { transport });
    });
    afterAll(async () => {
      await server.stop();
    });

    it.each(cases)(
      '$name',
      async ({
        method = 'POST',
        path = '/hook?event=Probe',
        headers,
        status,
        unixStatus,
        recorded,
      }) => {
        const client = clientFor(server);
        const before = server.stdout().length;
        const linesBefore = server.stdout().toString().split('\n').length - 1;
        const response = await client.request({
          method,
          path,
          headers,
          body: method === 'POST' ? '{"probe":true}' : undefined,
        });
        // The event stream never ends: its head is all there is to read.
        const text =
          path === '/events' && response.statusCode === 200
            ? (response.body.destroy(), '')
            : await response.body.text();
        await client.close();
        const expected = transport === 'unix' && unixStatus !== undefined ? unixStatus : status;
        expect(response.statusCode).toBe(expected);
        if (expected >= 400) {
          expect(JSON.parse(text)).toHaveProperty('error');
          expect(server.stdout().length).toBe(before);
        }
        if (recorded && expected === 200 && path.startsWith('/hook')) {
          const lines = await server.waitForLines(linesBefore + 1);
          expect(JSON.parse(lines.at(-1)!)).toMatchObject({ _event: 'Probe', probe: true });
        }
      },
    );

    it('refusals-are-logged-once-per-kind', () => {
      const refusals = server
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('refused '));
      const kinds = refusals.map((line) => /with (\d+: [^(]+)/.exec(line)?.[1]);
      expect(new Set(kinds).size).toBe(kinds.length);
      expect(kinds).toEqual(
        expect.arrayContaining([
          '415: a Content-Type other than application/json ',
          '403: an Origin header ',
          '403: Sec-Fetch-Site is not same-origin ',
        ]),
      );
    });
  });
});

describe.each(SERVER_NAMES)('the %s server with a token', (name) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(name, { env: { HOOK_OBSERVATORY_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it.each([
    { name: 'no-authorization-is-401', authorization: undefined, status: 401 },
    { name: 'wrong-token-is-401', authorization: 'Bearer nope', status: 401 },
    { name: 'token-prefix-is-401', authorization: `Bearer ${TOKEN.slice(0, -1)}`, status: 401 },
    { name: 'basic-scheme-is-401', authorization: `Basic ${TOKEN}`, status: 401 },
    { name: 'right-token-is-200', authorization: `Bearer ${TOKEN}`, status: 200 },
    { name: 'scheme-is-case-insensitive', authorization: `bearer ${TOKEN}`, status: 200 },
  ])('$name', async ({ authorization, status }) => {
    const client = new Client(server.origin);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers['authorization'] = authorization;
    const response = await client.request({
      method: 'POST',
      path: '/hook?event=T',
      headers,
      body: '{}',
    });
    await response.body.text();
    await client.close();
    expect(response.statusCode).toBe(status);
    if (status === 401) {
      expect(response.headers['www-authenticate']).toBe('Bearer realm="hook-observatory"');
    }
  });

  it.each([
    { name: 'events-without-token-is-401', authorization: undefined, status: 401 },
    { name: 'events-with-wrong-token-is-401', authorization: 'Bearer nope', status: 401 },
    { name: 'events-with-token-is-200', authorization: `Bearer ${TOKEN}`, status: 200 },
    // EventSource cannot set a header: the page sends the token in the query.
    { name: 'events-with-token-in-query-is-200', query: `?token=${TOKEN}`, status: 200 },
    { name: 'events-with-wrong-token-in-query-is-401', query: '?token=nope', status: 401 },
    {
      name: 'events-with-token-prefix-in-query-is-401',
      query: `?token=${TOKEN.slice(0, -1)}`,
      status: 401,
    },
  ])(
    '$name',
    async ({
      authorization,
      query = '',
      status,
    }: {
      authorization?: string;
      query?: string;
      status: number;
    }) => {
      const client = new Client(server.origin);
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const response = await client.request({ method: 'GET', path: `/events${query}`, headers });
      if (status === 200) expect(response.headers['content-type']).toBe('text/event-stream');
      else await response.body.text();
      await client.destroy();
      expect(response.statusCode).toBe(status);
    },
  );

  it('the-page-needs-no-token', async () => {
    // The page holds no event; the stream it opens does (with the token from its #token= fragment).
    const client = new Client(server.origin);
    const response = await client.request({ method: 'GET', path: '/' });
    await response.body.text();
    await client.close();
    expect(response.statusCode).toBe(200);
  });

  it('health-needs-no-token', async () => {
    const client = new Client(server.origin);
    const response = await client.request({ method: 'GET', path: '/health' });
    await response.body.text();
    await client.close();
    expect(response.statusCode).toBe(200);
  });

  it('the-token-is-never-written-anywhere', () => {
    expect(server.stderr()).not.toContain(TOKEN);
    expect(server.stdout().toString()).not.toContain(TOKEN);
    expect(server.stderr()).toContain('require a bearer token');
  });
});

describe.each(SERVER_NAMES)('the %s server bound beyond loopback', (name) => {
  it('warns-and-names-the-risk', async () => {
    // Bound only long enough to read the warning; no traffic goes to it.
    const server = await startServer(name, { args: ['--bind', '0.0.0.0'] });
    await server.stop();
    expect(server.stderr()).toMatch(
      /warning: 0\.0\.0\.0 is not a loopback address: anyone who can reach this machine/,
    );
  });

  it('loopback-bind-does-not-warn', async () => {
    const server = await startServer(name);
    await server.stop();
    expect(server.stderr()).not.toContain('warning');
  });
});
