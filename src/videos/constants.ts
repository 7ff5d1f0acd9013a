/** PeerTube's enumerations, with the labels its API returns. */
export const VideoPrivacy = { PUBLIC: 1, UNLISTED: 2, PRIVATE: 3, INTERNAL: 4, PASSWORD_PROTECTED: 5 } as const;
export const VIDEO_PRIVACIES: Record<number, string> = { 1: 'Public', 2: 'Unlisted', 3: 'Private', 4: 'Internal', 5: 'Password protected' };

export const VideoState = { PUBLISHED: 1, TO_TRANSCODE: 2, TO_IMPORT: 3, WAITING_FOR_LIVE: 4, LIVE_ENDED: 5, TRANSCODING_FAILED: 7 } as const;
export const VIDEO_STATES: Record<number, string> = {
  1: 'Published',
  2: 'To transcode',
  3: 'To import',
  4: 'Waiting for livestream',
  5: 'Livestream has ended',
  6: 'To move to an external storage',
  7: 'Transcoding failed',
  8: 'External storage move failed',
  9: 'To edit',
};

export const VIDEO_CATEGORIES: Record<number, string> = {
  1: 'Music',
  2: 'Films',
  3: 'Vehicles',
  4: 'Art',
  5: 'Sports',
  6: 'Travels',
  7: 'Gaming',
  8: 'People',
  9: 'Comedy',
  10: 'Entertainment',
  11: 'News & Politics',
  12: 'How To',
  13: 'Education',
  14: 'Activism',
  15: 'Science & Technology',
  16: 'Animals',
  17: 'Kids',
  18: 'Food',
};

export const VIDEO_LICENCES: Record<number, string> = {
  1: 'Attribution',
  2: 'Attribution - Share Alike',
  3: 'Attribution - No Derivatives',
  4: 'Attribution - Non Commercial',
  5: 'Attribution - Non Commercial - Share Alike',
  6: 'Attribution - Non Commercial - No Derivatives',
  7: 'Public Domain Dedication',
};

export const VIDEO_LANGUAGES: Record<string, string> = {
  ar: 'Arabic',
  bn: 'Bengali',
  ca: 'Catalan',
  cs: 'Czech',
  da: 'Danish',
  de: 'German',
  el: 'Greek',
  en: 'English',
  eo: 'Esperanto',
  es: 'Spanish',
  eu: 'Basque',
  fa: 'Persian',
  fi: 'Finnish',
  fr: 'French',
  ga: 'Irish',
  gl: 'Galician',
  he: 'Hebrew',
  hi: 'Hindi',
  hu: 'Hungarian',
  id: 'Indonesian',
  it: 'Italian',
  ja: 'Japanese',
  ko: 'Korean',
  nl: 'Dutch',
  no: 'Norwegian',
  oc: 'Occitan',
  pl: 'Polish',
  pt: 'Portuguese',
  ro: 'Romanian',
  ru: 'Russian',
  sk: 'Slovak',
  sv: 'Swedish',
  sw: 'Swahili',
  th: 'Thai',
  tr: 'Turkish',
  uk: 'Ukrainian',
  vi: 'Vietnamese',
  zh: 'Chinese',
  zxx: 'No linguistic content',
};

export function resolutionLabel(resolution: number): string {
  return resolution === 0 ? 'Audio only' : `${resolution}p`;
}
