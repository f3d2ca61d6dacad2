// The voyage screens' texts, added to the app's one translator when a screen that shows
// them is loaded (they stay out of the first load).
import { addTexts } from '../i18n.ts';
import { voyageDe, voyageEn } from './texts.ts';

addTexts({ en: voyageEn, de: voyageDe });
