export {
  ACTIVITYSTREAMS_CONTEXT_URL,
  SECURITY_V1_CONTEXT_URL,
  bundledContextUrls,
  findBundledContext,
} from './bundled-contexts.js';
