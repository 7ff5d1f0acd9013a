import { UserRole, type AccountService, type TokenService } from '../../accounts/index.js';

/** Whether an Authorization header carries a valid token of an administrator or a moderator. */
export function staffChecker(deps: { tokens: Pick<TokenService, 'authenticate'>; accounts: Pick<AccountService, 'getUser'> }) {
  return async (authorization: string): Promise<boolean> => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m?.[1]) return false;
    const token = await deps.tokens.authenticate(m[1]);
    if (!token.ok) return false;
    const user = await deps.accounts.getUser(token.value.userId);
    return user !== null && user !== undefined && (user.role === UserRole.ADMINISTRATOR || user.role === UserRole.MODERATOR);
  };
}
