// Logbooks, crew and invites through the real app (in-process, app.request on a temp SQLite file): a skipper makes a logbook, invites
// crew, the crew joins, leaves or is put ashore, and only the owner may sink the logbook.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';
import { markReverified } from '../helpers/accounts.ts';
import { addCrew, ciphertext, createLogbook, crewAboard, invite, type Crew } from '../helpers/crew.ts';
import { type ApiScenario, byRole, person, runScenarios } from '../helpers/scenario.ts';

const crewbell = appForFile();
const { user, anonymous } = crewbell;

describe('logbooks', () => {
  test('an owner creates a logbook and finds it in the list with role OWNER', async () => {
    const skipper = user('skipper');
    const id = randomUUID();
    const meta = ciphertext(100);
    const created = await skipper.client.post('/api/logbooks', { id, meta });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.logbook.id, id);
    assert.equal(created.body.logbook.ownerId, skipper.id);
    assert.equal(created.body.logbook.role, 'OWNER');
    assert.equal(created.body.logbook.meta, meta);
    assert.equal(new Date(created.body.logbook.createdAt).toISOString(), created.body.logbook.createdAt);

    const list = await skipper.client.get('/api/logbooks');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { logbooks: [created.body.logbook] });
  });

  test('the list shows crew logbooks with the crew role, and nothing of strangers', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const stranger = user('stranger');
    const own = await createLogbook(mate);
    const a = await createLogbook(skipper);
    const b = await createLogbook(skipper);
    await addCrew(skipper, a.id, mate, 'WRITE');
    await addCrew(skipper, b.id, mate, 'READ');
    const list = await mate.client.get('/api/logbooks');
    assert.equal(list.status, 200);
    const roles = Object.fromEntries(list.body.logbooks.map((l: any) => [l.id, [l.role, l.ownerId, l.meta]]));
    assert.deepEqual(roles, {
      [own.id]: ['OWNER', mate.id, own.meta],
      [a.id]: ['WRITE', skipper.id, a.meta],
      [b.id]: ['READ', skipper.id, b.meta],
    });
    assert.deepEqual((await stranger.client.get('/api/logbooks')).body, { logbooks: [] });
  });

  test('a logbook id that exists already is 409 logbook_exists, also for another user', async () => {
    const skipper = user('skipper');
    const other = user('other');
    const logbook = await createLogbook(skipper);
    assertError(
      await skipper.client.post('/api/logbooks', { id: logbook.id, meta: ciphertext() }),
      409,
      'logbook_exists',
    );
    assertError(
      await other.client.post('/api/logbooks', { id: logbook.id, meta: ciphertext() }),
      409,
      'logbook_exists',
    );
    const db = crewbell.server.db();
    try {
      const row = db.prepare('SELECT owner_id, meta FROM logbooks WHERE id = ?').get(logbook.id) as any;
      assert.deepEqual({ ...row }, { owner_id: skipper.id, meta: logbook.meta });
    } finally {
      db.close();
    }
  });

  test('creating a logbook checks its body: uuid id, base64url meta within 8 KiB, JSON', async () => {
    const skipper = user('skipper');
    const cases: [unknown, RegExp][] = [
      [{ id: 'not-a-uuid', meta: 'abc' }, /^id: /],
      [{ id: 42, meta: 'abc' }, /^id: /],
      [{ meta: 'abc' }, /id/],
      [{ id: randomUUID() }, /meta/],
      [{ id: randomUUID(), meta: 'not base64url!' }, /^meta: /],
      [{ id: randomUUID(), meta: '' }, /^meta: /],
      [{ id: randomUUID(), meta: 'A'.repeat(8193) }, /^meta: at most 8192/],
      [{ id: randomUUID(), meta: ['abc'] }, /^meta: /],
      ['just a string', /^body: /],
      [null, /^body: /],
    ];
    for (const [body, message] of cases) {
      const res = await skipper.client.post('/api/logbooks', body);
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, message, JSON.stringify(body));
    }
    const malformed = await skipper.client.post('/api/logbooks', undefined, {
      rawBody: '{"id": ',
      headers: { 'content-type': 'application/json' },
    });
    assertError(malformed, 400, 'invalid_request');
    assert.match(malformed.body.error.message, /JSON/);

    const huge = await skipper.client.post('/api/logbooks', { id: randomUUID(), meta: 'A'.repeat(70 * 1024) });
    assertError(huge, 413, 'payload_too_large');
    assert.deepEqual((await skipper.client.get('/api/logbooks')).body, { logbooks: [] });
  });

  test('deleting a logbook needs the owner re-verified within 5 minutes, then takes crew, invites and entries with it', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const logbook = await createLogbook(skipper);
    await addCrew(skipper, logbook.id, mate, 'WRITE');
    await invite(skipper, logbook.id, 'READ');
    const pushed = await mate.client.post('/api/sync/push', {
      items: [{ logbookId: logbook.id, entityId: 'e1', action: 'create', payload: ciphertext() }],
    });
    assert.equal(pushed.body.results[0].status, 'success');

    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}`), 403, 'reauth_required');
    // Re-verified six minutes ago is too long ago.
    let db = crewbell.server.db();
    try {
      db.prepare('UPDATE sessions SET reverified_at = ? WHERE id = ?').run(Date.now() - 6 * 60_000, skipper.sessionId);
    } finally {
      db.close();
    }
    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}`), 403, 'reauth_required');
    markReverified(crewbell.server, mate);
    assertError(await mate.client.delete(`/api/logbooks/${logbook.id}`), 403, 'forbidden');

    markReverified(crewbell.server, skipper);
    const deleted = await skipper.client.delete(`/api/logbooks/${logbook.id}`);
    assert.equal(deleted.status, 204, deleted.text);
    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}`), 404, 'not_found');
    assert.deepEqual((await mate.client.get('/api/logbooks')).body, { logbooks: [] });
    db = crewbell.server.db();
    try {
      for (const table of ['logbooks', 'logbook_members', 'invites', 'entries', 'notify_state']) {
        const column = table === 'logbooks' ? 'id' : 'logbook_id';
        const { count } = db
          .prepare(`SELECT COUNT(*) AS count FROM ${table} WHERE ${column} = ?`)
          .get(logbook.id) as any;
        assert.equal(count, 0, table);
      }
    } finally {
      db.close();
    }
  });
});

describe('crew', () => {
  test('members lists the owner first as OWNER, then the crew in joining order; every member may read it', async () => {
    const { skipper, mate, deckhand, logbook } = await crewAboard(crewbell.server);
    const expected = {
      members: [
        { userId: skipper.id, username: skipper.username, role: 'OWNER' },
        { userId: mate.id, username: mate.username, role: 'WRITE' },
        { userId: deckhand.id, username: deckhand.username, role: 'READ' },
      ],
    };
    for (const who of [skipper, mate, deckhand]) {
      const res = await who.client.get(`/api/logbooks/${logbook.id}/members`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, expected);
    }
  });

  test('the owner puts a crew member ashore; the member loses access', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const logbook = await createLogbook(skipper);
    await addCrew(skipper, logbook.id, mate, 'WRITE');
    const removed = await skipper.client.delete(`/api/logbooks/${logbook.id}/members/${mate.id}`);
    assert.equal(removed.status, 204, removed.text);
    assertError(await mate.client.get(`/api/logbooks/${logbook.id}/members`), 403, 'forbidden');
    const push = await mate.client.post('/api/sync/push', {
      items: [{ logbookId: logbook.id, entityId: 'x', action: 'create', payload: 'AA' }],
    });
    assert.deepEqual(push.body.results, [{ entityId: 'x', status: 'forbidden' }]);
    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}/members/${mate.id}`), 404, 'not_found');
  });

  test('a crew member leaves on their own but cannot remove others; nobody removes the owner', async () => {
    const { skipper, mate, deckhand, logbook } = await crewAboard(crewbell.server);

    assertError(await mate.client.delete(`/api/logbooks/${logbook.id}/members/${deckhand.id}`), 403, 'forbidden');
    assertError(await mate.client.delete(`/api/logbooks/${logbook.id}/members/${skipper.id}`), 403, 'forbidden');
    assertError(
      await skipper.client.delete(`/api/logbooks/${logbook.id}/members/${skipper.id}`),
      409,
      'owner_cannot_leave',
    );

    assert.equal((await deckhand.client.delete(`/api/logbooks/${logbook.id}/members/${deckhand.id}`)).status, 204);
    const members = await skipper.client.get(`/api/logbooks/${logbook.id}/members`);
    assert.deepEqual(
      members.body.members.map((m: any) => m.userId),
      [skipper.id, mate.id],
    );
  });
});

describe('invites', () => {
  test('an invite is 43 base64url characters, 7 days, and only its SHA-256 is stored', async () => {
    const skipper = user('skipper');
    const logbook = await createLogbook(skipper);
    const before = Date.now();
    const res = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'WRITE' });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.token, /^[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(res.body.expiresAt);
    assert.ok(Math.abs(expiresAt - (before + 7 * 86_400_000)) < 60_000, res.body.expiresAt);
    const db = crewbell.server.db();
    try {
      const rows = db
        .prepare('SELECT token_hash, role, created_by FROM invites WHERE logbook_id = ?')
        .all(logbook.id) as any[];
      assert.equal(rows.length, 1);
      const { createHash } = await import('node:crypto');
      assert.equal(rows[0].token_hash, createHash('sha256').update(res.body.token).digest('hex'));
      assert.equal(rows[0].role, 'WRITE');
      assert.equal(rows[0].created_by, skipper.id);
    } finally {
      db.close();
    }
  });

  test('anyone, signed out too, can look at an invite before joining', async () => {
    const skipper = user('skipper');
    const logbook = await createLogbook(skipper);
    const created = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' });
    const res = await anonymous().get(`/api/invites/${created.body.token}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      logbookId: logbook.id,
      role: 'READ',
      ownerName: skipper.username,
      expiresAt: created.body.expiresAt,
    });
  });

  test('an invite is single use: the second accept is refused and the second person stays ashore', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const other = user('other');
    const logbook = await createLogbook(skipper);
    const token = await invite(skipper, logbook.id, 'WRITE');
    const first = await mate.client.post(`/api/invites/${token}/accept`);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, { logbookId: logbook.id, role: 'WRITE' });
    assertError(await other.client.post(`/api/invites/${token}/accept`), 404, 'invite_not_found');
    assertError(await mate.client.post(`/api/invites/${token}/accept`), 404, 'invite_not_found');
    assertError(await anonymous().get(`/api/invites/${token}`), 404, 'invite_not_found');
    assertError(await other.client.get(`/api/logbooks/${logbook.id}/members`), 403, 'forbidden');
  });

  test('an expired invite is refused (expiry back-dated in the database)', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const logbook = await createLogbook(skipper);
    const token = await invite(skipper, logbook.id, 'WRITE');
    const db = crewbell.server.db();
    try {
      db.prepare('UPDATE invites SET expires_at = ? WHERE logbook_id = ?').run(Date.now() - 1000, logbook.id);
    } finally {
      db.close();
    }
    assertError(await anonymous().get(`/api/invites/${token}`), 404, 'invite_not_found');
    assertError(await mate.client.post(`/api/invites/${token}/accept`), 404, 'invite_not_found');
    assertError(await mate.client.get(`/api/logbooks/${logbook.id}/members`), 403, 'forbidden');
  });

  test('only the owner creates invites, with role WRITE or READ', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const deckhand = user('deckhand');
    const stranger = user('stranger');
    const logbook = await createLogbook(skipper);
    await addCrew(skipper, logbook.id, mate, 'WRITE');
    await addCrew(skipper, logbook.id, deckhand, 'READ');
    assertError(await mate.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' }), 403, 'forbidden');
    assertError(await deckhand.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' }), 403, 'forbidden');
    assertError(await stranger.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' }), 403, 'forbidden');
    assertError(
      await anonymous().post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' }),
      401,
      'unauthenticated',
    );
    for (const role of ['OWNER', 'write', '', 3, undefined]) {
      const res = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role });
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, /role/);
    }
  });

  test('the owner accepting their own invite gets 409 already_owner and the invite stays usable', async () => {
    const skipper = user('skipper');
    const mate = user('mate');
    const logbook = await createLogbook(skipper);
    const token = await invite(skipper, logbook.id, 'READ');
    assertError(await skipper.client.post(`/api/invites/${token}/accept`), 409, 'already_owner');
    const res = await mate.client.post(`/api/invites/${token}/accept`);
    assert.equal(res.status, 200, res.text);
  });

  test('unknown and malformed invite tokens are 404 invite_not_found; accepting needs a session', async () => {
    const mate = user('mate');
    for (const token of ['x'.repeat(43), 'short', 'no%20such']) {
      assertError(await anonymous().get(`/api/invites/${token}`), 404, 'invite_not_found');
      assertError(await mate.client.post(`/api/invites/${token}/accept`), 404, 'invite_not_found');
    }
    assertError(await anonymous().post(`/api/invites/${'x'.repeat(43)}/accept`), 401, 'unauthenticated');
  });
});

const logbookExists = (id: string) => crewbell.server.query('SELECT 1 FROM logbooks WHERE id = ?', id).length > 0;
const isMember = (crew: Crew, userId: string) =>
  crewbell.server.query('SELECT 1 FROM logbook_members WHERE logbook_id = ? AND user_id = ?', crew.logbook.id, userId)
    .length > 0;
const ROLES_LISTED = ['"role":"OWNER"', '"role":"WRITE"', '"role":"READ"'];

const WHO_MAY: ApiScenario[] = [
  ...byRole(
    {
      name: 'GET /api/logbooks',
      method: 'GET',
      url: () => '/api/logbooks',
      after(crew, res, row) {
        if (res.status === 200) assert.equal(res.text.includes(crew.logbook.id), row.as !== 'stranger');
      },
    },
    { owner: 200, write: 200, read: 200, stranger: 200, signedOut: 401 },
    { owner: ['"role":"OWNER"'], write: ['"role":"WRITE"'], read: ['"role":"READ"'] },
  ),
  ...byRole(
    {
      name: 'POST /api/logbooks',
      method: 'POST',
      url: () => '/api/logbooks',
      body: () => ({ id: randomUUID(), meta: ciphertext() }),
    },
    { owner: 201, write: 201, read: 201, stranger: 201, signedOut: 401 },
  ),
  ...byRole(
    {
      name: 'DELETE /api/logbooks/:id (re-verified)',
      method: 'DELETE',
      url: (crew) => `/api/logbooks/${crew.logbook.id}`,
      before: (_crew, user) => void (user && markReverified(crewbell.server, user)),
      after: (crew, res) => assert.equal(logbookExists(crew.logbook.id), res.status !== 204),
    },
    { owner: 204, write: 403, read: 403, stranger: 403, signedOut: 401 },
  ),
  ...byRole(
    { name: 'GET /api/logbooks/:id/members', method: 'GET', url: (crew) => `/api/logbooks/${crew.logbook.id}/members` },
    { owner: 200, write: 200, read: 200, stranger: 403, signedOut: 401 },
    { owner: ROLES_LISTED, write: ROLES_LISTED, read: ROLES_LISTED },
  ),
  ...byRole(
    {
      name: 'DELETE /api/logbooks/:id/members/:userId (the WRITE member)',
      method: 'DELETE',
      url: (crew) => `/api/logbooks/${crew.logbook.id}/members/${crew.mate.id}`,
      after: (crew, res) => assert.equal(isMember(crew, crew.mate.id), res.status !== 204),
    },
    { owner: 204, write: 204, read: 403, stranger: 403, signedOut: 401 },
  ),
  ...byRole(
    {
      name: 'POST /api/logbooks/:id/invites',
      method: 'POST',
      url: (crew) => `/api/logbooks/${crew.logbook.id}/invites`,
      body: () => ({ role: 'WRITE' }),
    },
    { owner: 201, write: 403, read: 403, stranger: 403, signedOut: 401 },
    { owner: ['"token":"'] },
  ),
  ...byRole(
    {
      name: 'GET /api/invites/:token',
      method: 'GET',
      url: async (crew) => `/api/invites/${await invite(crew.skipper, crew.logbook.id, 'READ')}`,
      contains: ['"role":"READ"'],
    },
    { owner: 200, write: 200, read: 200, stranger: 200, signedOut: 200 },
  ),
  ...byRole(
    {
      name: 'POST /api/invites/:token/accept (a READ invite)',
      method: 'POST',
      url: async (crew) => `/api/invites/${await invite(crew.skipper, crew.logbook.id, 'READ')}/accept`,
      async after(crew, res, row) {
        if (res.status !== 200) return;
        // Joining again never weakens a role: the WRITE member stays WRITE.
        const role = row.as === 'write' ? 'WRITE' : 'READ';
        assert.deepEqual(res.body, { logbookId: crew.logbook.id, role });
        const members = await crew.skipper.client.get(`/api/logbooks/${crew.logbook.id}/members`);
        assert.equal(members.body.members.find((m: any) => m.userId === person(crew, row.as)!.id)?.role, role);
      },
    },
    { owner: 409, write: 200, read: 200, stranger: 200, signedOut: 401 },
    { owner: ['"code":"already_owner"'] },
  ),
];

describe('who may do what: every logbook route × owner, WRITE, READ, stranger, signed out', () => {
  runScenarios(() => crewbell.server, WHO_MAY);

  test('a logbook that does not exist is 404 not_found on every logbook route; signed out is still 401', async () => {
    const { stranger } = await crewAboard(crewbell.server);
    const ghost = randomUUID();
    const calls: [string, string, unknown?][] = [
      ['DELETE', `/api/logbooks/${ghost}`],
      ['GET', `/api/logbooks/${ghost}/members`],
      ['DELETE', `/api/logbooks/${ghost}/members/${stranger.id}`],
      ['POST', `/api/logbooks/${ghost}/invites`, { role: 'READ' }],
    ];
    markReverified(crewbell.server, stranger);
    for (const [method, path, body] of calls) {
      assertError(await stranger.client.request(method, path, body), 404, 'not_found');
      assertError(await anonymous().request(method, path, body), 401, 'unauthenticated');
    }
  });

  test('ids that are not uuids are 400 invalid_request naming the parameter', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    markReverified(crewbell.server, skipper);
    const calls: [string, string, RegExp, unknown?][] = [
      ['DELETE', '/api/logbooks/not-a-uuid', /^id: /],
      ['GET', '/api/logbooks/12345/members', /^id: /],
      ['DELETE', `/api/logbooks/x/members/${skipper.id}`, /^id: /],
      ['DELETE', `/api/logbooks/${logbook.id}/members/not-a-uuid`, /^userId: /],
      ['POST', '/api/logbooks/x/invites', /^id: /, { role: 'READ' }],
    ];
    for (const [method, path, message, body] of calls) {
      const res = await skipper.client.request(method, path, body);
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, message);
    }
    assert.equal(logbookExists(logbook.id), true);
  });
});
