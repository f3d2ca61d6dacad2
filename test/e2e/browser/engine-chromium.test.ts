// The main story in Chromium (Debian's chromium through playwright-core, a CDP virtual
// authenticator for passkeys), with screenshots and the layout guard on every screen.
import { engineStory } from '../../helpers/engine-story.ts';
import { launchChromium } from '../../helpers/engines.ts';

engineStory(launchChromium);
