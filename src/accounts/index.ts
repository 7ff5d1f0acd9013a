export { createAccountService, INSTANCE_ACTOR_NAME, USERNAME_PATTERN, CHANNEL_NAME_PATTERN } from './account-service.js';
export type { AccountService, NewUser, CreateUserRefusal } from './account-service.js';
export { createTokenService } from './token-service.js';
export type { TokenService, Tokens, TokenRefusal } from './token-service.js';
export { hashPassword, verifyPassword, generatePassword } from './password.js';
export { UserRole, ROLE_LABELS, hasRight } from './roles.js';
export type { UserRight } from './roles.js';
export { generateActorKeyPair, type ActorKeyPair } from './actor-keys.js';
