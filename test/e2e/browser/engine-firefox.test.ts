// The main story in Firefox (Debian's firefox-esr over WebDriver BiDi, puppeteer-core; a
// virtual authenticator added from the chrome scope, so passkeys are real), with
// screenshots and the layout guard on every screen.
import { engineStory } from '../../helpers/engine-story.ts';
import { launchFirefox } from '../../helpers/firefox.ts';

engineStory(launchFirefox);
