// The words the owner's device puts on a crew-change notification, in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crewChangesText } from '../../../web/src/notification-text.ts';

test('new entries by one sailor, in English and German', () => {
  const data = { changeCount: 3, counts: { create: 3, update: 0, delete: 0 }, by: ['Anna'] };
  assert.equal(crewChangesText('en', 'Baltic summer', data), 'Baltic summer: 3 new entries by Anna');
  assert.equal(crewChangesText('de', 'Ostseesommer', data), 'Ostseesommer: 3 neue Einträge von Anna');
});

test('every kind of change and several crew', () => {
  const data = { changeCount: 4, counts: { create: 1, update: 2, delete: 1 }, by: ['Anna', 'Ben', 'Carl'] };
  assert.equal(crewChangesText('en', 'Mira', data), 'Mira: 1 new entry, 2 changed, 1 deleted by Anna, Ben and Carl');
  assert.equal(
    crewChangesText('de', 'Mira', data),
    'Mira: 1 neuer Eintrag, 2 geändert, 1 gelöscht von Anna, Ben und Carl',
  );
});

test('an older message with only changeCount still says how many; nothing to say gives undefined', () => {
  assert.equal(crewChangesText('en', 'Mira', { changeCount: 2 }), 'Mira: 2 changes');
  assert.equal(crewChangesText('de', 'Mira', { changeCount: 1, by: ['Ben'] }), 'Mira: 1 Änderung von Ben');
  assert.equal(crewChangesText('en', 'Mira', {}), undefined);
  assert.equal(crewChangesText('en', 'Mira', { counts: { create: -1, update: 0.5, delete: 0 } as never }), undefined);
});

test('the skipper among the writers is named as such, for crew: "2 new entries by Jörg (skipper)"', () => {
  const data = { changeCount: 2, counts: { create: 2, update: 0, delete: 0 }, by: ['Jörg'], skipper: 'Jörg' };
  assert.equal(crewChangesText('en', 'Baltic summer', data), 'Baltic summer: 2 new entries by Jörg (skipper)');
  assert.equal(crewChangesText('de', 'Ostseesommer', data), 'Ostseesommer: 2 neue Einträge von Jörg (Skipper)');
  assert.equal(
    crewChangesText('en', 'Baltic summer', { ...data, by: ['Anna', 'Jörg'] }),
    'Baltic summer: 2 new entries by Anna and Jörg (skipper)',
  );
  assert.equal(
    crewChangesText('en', 'Baltic summer', { ...data, skipper: undefined }),
    'Baltic summer: 2 new entries by Jörg',
  );
});
