// The main story in WebKit (Debian's WebKitGTK MiniBrowser in Xvfb, plain W3C WebDriver).
// WebKitGTK has no WebAuthn and no PushManager: sign-up and sign-in run through the
// project's software authenticator (test/helpers/passkey.ts) and the browser gets the
// session cookie it made; every screen is the PWA's own, with screenshots and the guard.
import { engineStory } from '../../helpers/engine-story.ts';
import { launchWebKit } from '../../helpers/webkit.ts';

engineStory(launchWebKit);
