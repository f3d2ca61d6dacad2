// A browser story told in steps: each step is its own test, and a step run alone
// (`node --test --test-name-pattern=…`) first runs the steps before it, once. The users
// and the server are the file's own (made in its before()), so any one test runs by itself.
import { test } from 'node:test';

export function storySteps(): (name: string, fn: () => Promise<void>) => void {
  const steps: Array<{ run: () => Promise<void>; done?: Promise<void> }> = [];
  return (name, fn) => {
    const upTo = steps.push({ run: fn });
    test(name, async () => {
      // A step that failed earlier fails the later ones with its own error.
      for (const s of steps.slice(0, upTo)) await (s.done ??= s.run());
    });
  };
}
