// The skipper runs the crew through the real app in-process: changes a member's role (a READ member
// can upload no more), lists the open invites without their tokens and revokes one, whose
// token is dead at once. Every new route is tried by every role.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { ciphertext, crewAboard, invite, type Crew } from '../helpers/crew.ts';
import { byRole, runScenarios } from '../helpers/scenario.ts';

const crewbell = appForFile();
const aboard = () => crewAboard(crewbell.server);

async function uploadStatus(who: TestUser, logbookId: string): Promise<string> {
  const res = await who.client.post('/api/sync/push', {
    items: [{ logbookId, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
  });
  assert.equal(res.status, 200, res.text);
  return res.body.results[0].status;
}

const roleOf = (crew: Crew, userId: string) =>
  crewbell.server.query<{ role: string }>(
    'SELECT role FROM logbook_members WHERE logbook_id = ? AND user_id = ?',
    crew.logbook.id,
    userId,
  )[0]?.role;

describe('changing a role', () => {
  test('the owner makes WRITE crew READ: the answer, the crew list, and uploads refused; back to WRITE, uploads work again', async () => {
    const { skipper, mate, logbook } = await aboard();
    assert.equal(await uploadStatus(mate, logbook.id), 'success');
    const res = await skipper.client.patch(`/api/logbooks/${logbook.id}/members/${mate.id}`, { role: 'READ' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { userId: mate.id, username: mate.username, role: 'READ' });
    const members = (await mate.client.get(`/api/logbooks/${logbook.id}/members`)).body.members;
    assert.equal(members.find((m: any) => m.userId === mate.id).role, 'READ');
    assert.equal(await uploadStatus(mate, logbook.id), 'forbidden');
    const listed = (await mate.client.get('/api/logbooks')).body.logbooks.find((l: any) => l.id === logbook.id);
    assert.equal(listed.role, 'READ');

    assert.equal(
      (await skipper.client.patch(`/api/logbooks/${logbook.id}/members/${mate.id}`, { role: 'WRITE' })).status,
      200,
    );
    assert.equal(await uploadStatus(mate, logbook.id), 'success');
  });

  test("the owner's own row is 409, someone not aboard 404, a bad role or id 400", async () => {
    const { skipper, stranger, logbook } = await aboard();
    const path = (userId: string) => `/api/logbooks/${logbook.id}/members/${userId}`;
    assertError(await skipper.client.patch(path(skipper.id), { role: 'READ' }), 409, 'owner_role');
    assertError(await skipper.client.patch(path(stranger.id), { role: 'READ' }), 404, 'not_found');
    assertError(await skipper.client.patch(path(skipper.id), { role: 'OWNER' }), 400, 'invalid_request', /^role: /);
    assertError(await skipper.client.patch(path(stranger.id), {}), 400, 'invalid_request', /role/);
    assertError(await skipper.client.patch(path('not-a-uuid'), { role: 'READ' }), 400, 'invalid_request', /^userId: /);
    assertError(
      await skipper.client.patch(`/api/logbooks/${randomUUID()}/members/${stranger.id}`, { role: 'READ' }),
      404,
      'not_found',
    );
    assertError(
      await skipper.client.patch(path(stranger.id), { role: 'READ' }, { origin: 'http://evil.example' }),
      403,
      'csrf',
    );
  });

  const member = (crew: Crew, id: string) => `/api/logbooks/${crew.logbook.id}/members/${id}`;
  runScenarios(
    () => crewbell.server,
    [
      ...byRole(
        {
          name: 'PATCH /api/logbooks/:id/members/:userId (the WRITE member, to READ)',
          method: 'PATCH',
          url: (crew) => member(crew, crew.mate.id),
          body: () => ({ role: 'READ' }),
          after: (crew, res) => assert.equal(roleOf(crew, crew.mate.id), res.status === 200 ? 'READ' : 'WRITE'),
        },
        { owner: 200, write: 403, read: 403, stranger: 403, signedOut: 401 },
        { owner: ['"role":"READ"'] },
      ),
      {
        name: 'PATCH /api/logbooks/:id/members/:userId (the READ member, to WRITE)',
        method: 'PATCH',
        url: (crew) => member(crew, crew.deckhand.id),
        body: () => ({ role: 'WRITE' }),
        as: 'write',
        status: 403,
        after: (crew) => assert.equal(roleOf(crew, crew.deckhand.id), 'READ'),
      },
      {
        name: 'PATCH /api/logbooks/:id/members/:userId (the READ member on themselves, to WRITE)',
        method: 'PATCH',
        url: (crew) => member(crew, crew.deckhand.id),
        body: () => ({ role: 'WRITE' }),
        as: 'read',
        status: 403,
        after: (crew) => assert.equal(roleOf(crew, crew.deckhand.id), 'READ'),
      },
    ],
  );
});

describe('open invites', () => {
  test('the list shows open invites newest first with id, role and times, never a token; used and expired ones are gone', async () => {
    const { skipper, stranger, logbook } = await aboard();
    // crewAboard's two invites were used when the crew joined: they are not open.
    assert.deepEqual((await skipper.client.get(`/api/logbooks/${logbook.id}/invites`)).body, { invites: [] });
    const write = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'WRITE' });
    const read = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'READ' });
    const expired = await invite(skipper, logbook.id, 'READ');
    const used = await invite(skipper, logbook.id, 'WRITE');
    assert.equal((await stranger.client.post(`/api/invites/${used}/accept`)).status, 200);
    crewbell.server.query(
      'UPDATE invites SET expires_at = ? WHERE token_hash = ?',
      Date.now() - 1000,
      createHash('sha256').update(expired).digest('hex'),
    );
    crewbell.server.query(
      'UPDATE invites SET created_at = created_at - 1000 WHERE logbook_id = ? AND role = ?',
      logbook.id,
      'WRITE',
    );

    const res = await skipper.client.get(`/api/logbooks/${logbook.id}/invites`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.invites.map((i: any) => [i.role, i.expiresAt]),
      [
        ['READ', read.body.expiresAt],
        ['WRITE', write.body.expiresAt],
      ],
    );
    for (const i of res.body.invites) {
      assert.deepEqual(Object.keys(i).sort(), ['createdAt', 'expiresAt', 'id', 'role']);
      assert.match(i.id, /^[0-9a-f-]{36}$/);
      assert.equal(new Date(i.createdAt).toISOString(), i.createdAt);
    }
    for (const token of [write.body.token, read.body.token])
      assert.ok(!res.text.includes(token), 'the list never carries a token');
  });

  test('a revoked invite is dead at once: not shown, not accepted, and revoking again is 404', async () => {
    const { skipper, stranger, logbook } = await aboard();
    const token = await invite(skipper, logbook.id, 'WRITE');
    const kept = await invite(skipper, logbook.id, 'READ');
    const [open] = (await skipper.client.get(`/api/logbooks/${logbook.id}/invites`)).body.invites.filter(
      (i: any) => i.role === 'WRITE',
    );
    const revoked = await skipper.client.delete(`/api/logbooks/${logbook.id}/invites/${open.id}`);
    assert.equal(revoked.status, 204, revoked.text);

    assertError(await crewbell.anonymous().get(`/api/invites/${token}`), 404, 'invite_not_found');
    assertError(await stranger.client.post(`/api/invites/${token}/accept`), 404, 'invite_not_found');
    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}/invites/${open.id}`), 404, 'not_found');
    assert.deepEqual(
      (await skipper.client.get(`/api/logbooks/${logbook.id}/invites`)).body.invites.map((i: any) => i.role),
      ['READ'],
    );
    // The other invite still works.
    assert.equal((await stranger.client.post(`/api/invites/${kept}/accept`)).status, 200);
    assertError(
      await skipper.client.delete(`/api/logbooks/${logbook.id}/invites/nope`),
      400,
      'invalid_request',
      /^inviteId: /,
    );
    // An invite of another logbook cannot be revoked through this one.
    const other = await aboard();
    await invite(other.skipper, other.logbook.id, 'READ');
    const [foreign] = (await other.skipper.client.get(`/api/logbooks/${other.logbook.id}/invites`)).body.invites;
    assertError(await skipper.client.delete(`/api/logbooks/${logbook.id}/invites/${foreign.id}`), 404, 'not_found');
  });

  runScenarios(
    () => crewbell.server,
    byRole(
      {
        name: 'GET /api/logbooks/:id/invites',
        method: 'GET',
        url: async (crew) => {
          await invite(crew.skipper, crew.logbook.id, 'WRITE');
          return `/api/logbooks/${crew.logbook.id}/invites`;
        },
      },
      { owner: 200, write: 403, read: 403, stranger: 403, signedOut: 401 },
      { owner: ['"role":"WRITE"'] },
    ),
  );

  // A refused revoke leaves the token working; the owner's kills it.
  const tokens = new Map<string, string>();
  runScenarios(
    () => crewbell.server,
    byRole(
      {
        name: 'DELETE /api/logbooks/:id/invites/:inviteId',
        method: 'DELETE',
        async url(crew) {
          tokens.set(crew.logbook.id, await invite(crew.skipper, crew.logbook.id, 'READ'));
          const [open] = (await crew.skipper.client.get(`/api/logbooks/${crew.logbook.id}/invites`)).body.invites;
          return `/api/logbooks/${crew.logbook.id}/invites/${open.id}`;
        },
        async after(crew, res) {
          const look = await crewbell.anonymous().get(`/api/invites/${tokens.get(crew.logbook.id)}`);
          assert.equal(look.status, res.status === 204 ? 404 : 200, 'the token works until the owner revokes it');
        },
      },
      { owner: 204, write: 403, read: 403, stranger: 403, signedOut: 401 },
    ),
  );
});

test('reads have their own budget: 40 listings of the invites leave making one possible (issue 18)', async () => {
  const { skipper, logbook } = await aboard();
  for (let i = 0; i < 40; i++) {
    assert.equal((await skipper.client.get(`/api/logbooks/${logbook.id}/invites`)).status, 200);
  }
  const made = await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'WRITE' });
  assert.equal(made.status, 201, made.text);
});
