// One real server shared by the tests of a file: started before the first test, stopped
// and its data removed after the last. Accounts made on it get unique names.
import { after, before } from 'node:test';
import { startServer, type StartOptions, type TestServer } from './server.ts';
import { createUserWithSession, type TestUser } from './accounts.ts';
import { Client } from './client.ts';

export interface SharedServer {
  /** The running server (from the first test on). */
  readonly server: TestServer;
  /** A new account with a session; the name gets a number so that it is unique. */
  user(name?: string): TestUser;
  /** A client without a session. */
  anonymous(): Client;
}

export function serverForFile(options: StartOptions = {}): SharedServer {
  let server: TestServer | undefined;
  let n = 0;
  const running = (): TestServer => {
    if (!server) throw new Error('the shared server starts in before(): use it inside a test');
    return server;
  };
  before(async () => {
    server = await startServer(options);
  });
  after(async () => {
    if (!server) return;
    await server.stop();
    server.cleanup();
  });
  return {
    get server() {
      return running();
    },
    user: (name = 'sailor') => createUserWithSession(running(), `${name}${++n}`),
    anonymous: () => new Client(running().url, running().origin),
  };
}
