// ActivityPub over HTTP: the GET side (actors, videos, collections).
export { activityPubGetRouter, type ActivityPubGetDeps } from './activitypub-get-router.js';
export { negotiateActivityJson, sendActivityJson, wantsActivityJson } from './activity-json.js';
export { inboxRouter } from './inbox-router.js';
