/**
 * Identity. Bureau frontends call their subgraph directly, so every subgraph (and the gateway)
 * verifies the bearer token itself; nobody trusts a header because the gateway "already checked".
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { GraphQLError } from 'graphql';
import { creditCodeProblem } from './credit-code.ts';
import type { AuthEnv } from './env.ts';
import { errors, type Bilingual } from './errors.ts';
import { isUuid } from './input.ts';
import { joseReason } from './library-errors.ts';
import { present } from './invariant.ts';

export const Role = {
  COMMAND_OFFICE: 'COMMAND_OFFICE',
  UNIT_ADMIN: 'UNIT_ADMIN',
  UNIT_STAFF: 'UNIT_STAFF',
  ENTERPRISE: 'ENTERPRISE',
  OBSERVER: 'OBSERVER',
  /** A financial institution's staff (青融通): the token names the institution and, optionally, one branch. */
  FINANCIAL_INSTITUTION: 'FINANCIAL_INSTITUTION',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roles = Object.values(Role);

export interface Viewer {
  /** `sub` claim; null when anonymous. */
  subject: string | null;
  role: Role | 'ANONYMOUS';
  /** Unit id (`unit` claim) for COMMAND_OFFICE, UNIT_ADMIN, UNIT_STAFF. */
  unitId: string | null;
  /** 统一社会信用代码 (`enterprise` claim) for ENTERPRISE. */
  enterprise: string | null;
  /** Financial institution id (`institution` claim, a UUID) for FINANCIAL_INSTITUTION; absent or null otherwise. */
  institution?: string | null;
  /** One branch of that institution (`branch` claim, a UUID), when the token is a branch's; absent or null otherwise. */
  branch?: string | null;
  /** `iss` claim; absent or null when anonymous or the token names none. */
  issuer?: string | null;
}

/**
 * A person as the platform keys one: the token's issuer, role and subject together. A `sub` is
 * unique only within its issuer, and one person's accounts in two roles are two accounts — an
 * ENTERPRISE token whose `sub` equals a judge's is somebody else (issue #20). Whatever stands on a
 * person (a judge, the reviewer who has an application, one's own report or comment, a retry's
 * key) is recorded and compared as all three.
 */
export interface Person {
  /** '' for a token that names no issuer; null in a record kept before issuers were (see `isPerson`). */
  issuer: string | null;
  /** null in a record kept before roles were: nobody is that person any more. */
  role: string | null;
  subject: string | null;
}

/** The caller as a person to record; null when anonymous. */
export function personOf(viewer: Viewer): { issuer: string; role: Role; subject: string } | null {
  if (viewer.role === 'ANONYMOUS' || !viewer.subject) return null;
  return { issuer: viewer.issuer ?? '', role: viewer.role, subject: viewer.subject };
}

/**
 * Whether the caller is the recorded person. A record kept before issuers were (issuer null) was
 * made when a service accepted tokens of one issuer only (JWT_ISSUER, required outside
 * development): its role and subject decide.
 */
export function isPerson(viewer: Viewer, person: Person): boolean {
  return samePerson(personOf(viewer), person);
}

/** As `isPerson`, for a person already worked out from a token (`personOf`). */
export function samePerson(me: { issuer: string; role: string; subject: string } | null, person: Person): boolean {
  if (!me || person.role === null || person.subject === null) return false;
  return me.subject === person.subject && me.role === person.role && (person.issuer === null || person.issuer === me.issuer);
}

/** One string for a person, for keys and hashes (the parts cannot run into each other). */
export function personKey(person: { issuer: string; role: string; subject: string }): string {
  return JSON.stringify([person.issuer, person.role, person.subject]);
}

export const anonymous: Viewer = Object.freeze({ subject: null, role: 'ANONYMOUS', unitId: null, enterprise: null });

export interface TokenClaims {
  sub: string;
  role: Role;
  unit?: string;
  enterprise?: string;
  institution?: string;
  branch?: string;
}

export interface Authenticator {
  /** Anonymous without a header; UNAUTHENTICATED for a header that does not verify. */
  viewerFromAuthorization(header: string | undefined | null): Promise<Viewer>;
}

/**
 * Longer than any token the identity provider issues (a few hundred bytes of claims, a signature):
 * refused before it is parsed, verified or kept.
 */
const MAX_TOKEN_LENGTH = 8_192;
/** A subject is an account id of the identity provider: printable, bounded. */
const SUBJECT = /^[^\p{Cc}\p{Cf}]{1,200}$/u;

function invalidToken(reason: Bilingual): GraphQLError {
  const error = errors.unauthenticated({ zh: `令牌无效：${reason.zh}`, en: `Invalid token: ${reason.en}` });
  // A context-time refusal is an HTTP answer, not a resolver error: 401 is what
  // @apollo/gateway maps back to UNAUTHENTICATED if a subgraph ever says it.
  (error.extensions as Record<string, unknown>).http = { status: 401 };
  return error;
}

export function createAuthenticator(env: AuthEnv): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey = env.jwksUrl
    ? createRemoteJWKSet(new URL(env.jwksUrl))
    : new TextEncoder().encode(requireSecret(env));
  const options = {
    issuer: env.issuer,
    audience: env.audience,
    algorithms: env.jwksUrl ? ['RS256', 'ES256', 'PS256', 'EdDSA'] : ['HS256'],
    // A token without exp would never expire; maxTokenAge also refuses an iat in the future.
    requiredClaims: ['exp', 'iat', 'sub'],
    maxTokenAge: env.maxTokenLifetimeSeconds,
    clockTolerance: env.clockToleranceSeconds,
  };

  const verified = new VerifiedTokens();

  return {
    async viewerFromAuthorization(header) {
      if (!header) return anonymous;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw invalidToken({ zh: 'Authorization 头应为“Bearer 令牌”', en: 'expected "Bearer <token>"' });
      const token = present(match[1], 'the token of a matched Authorization header');
      if (token.length > MAX_TOKEN_LENGTH) {
        throw invalidToken({
          zh: `令牌过长（超过 ${MAX_TOKEN_LENGTH} 个字符）`,
          en: `the token is longer than ${MAX_TOKEN_LENGTH} characters`,
        });
      }
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        // The overloads of jwtVerify differ for keys and key sets; both are valid here.
        ({ payload } = await jwtVerify(token, key as Uint8Array, options));
      } catch (error) {
        throw invalidToken(joseReason(error));
      }
      const viewer = viewerFromClaims(payload);
      // Valid as long as jose would still accept it: until exp, and until iat + the maximum lifetime.
      const limits = [
        payload.exp,
        payload.iat === undefined || options.maxTokenAge === undefined ? undefined : payload.iat + options.maxTokenAge,
      ];
      verified.set(token, viewer, Math.min(...limits.filter((at): at is number => at !== undefined)) * 1000);
      return viewer;
    },
  };
}

/**
 * Tokens verified a moment ago. A frontend sends the same token with every request, and the gateway
 * and then each subgraph verify it: the signature check (and, with a secret, importing the key) was
 * an eighth of the gateway's CPU per request in a profile (issue #11). A token is taken from here
 * only while jose would still accept it, and at most `ttlMs` (60 s) after it was checked
 * (a rotated key set is seen within that time); a refused token is never kept. Bounded in size,
 * the oldest entry going first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { viewer: Viewer; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Viewer | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.viewer;
  }

  set(token: string, viewer: Viewer, validUntil: number): void {
    const until = Math.min(validUntil, this.now() + this.ttlMs);
    if (!(until > this.now())) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { viewer: Object.freeze({ ...viewer }), until });
  }

  get size(): number {
    return this.entries.size;
  }
}

function requireSecret(env: AuthEnv): string {
  if (!env.jwtSecret) throw new Error('No JWT secret or JWKS URL configured');
  return env.jwtSecret;
}

/**
 * The claims, checked as strictly as the platform's own inputs (issue #20): a signed token is still
 * only as good as its issuer's data, and a claim reaches SQL, the directory and the logs. A `unit`
 * is a unit id (a UUID), an `enterprise` a valid 统一社会信用代码 (checksum included), an
 * `institution` and a `branch` ids (UUIDs, a branch only beside its institution), a `sub` a
 * printable account id.
 */
function viewerFromClaims(payload: JWTPayload): Viewer {
  const role = payload.role;
  if (typeof payload.sub !== 'string' || !payload.sub) throw invalidToken({ zh: '缺少 sub 声明', en: 'missing sub' });
  if (!SUBJECT.test(payload.sub))
    throw invalidToken({
      zh: 'sub 声明不是有效的账号标识（1–200 个可打印字符）',
      en: 'the sub claim is not an account id (1–200 printable characters)',
    });
  if (typeof role !== 'string' || !(roles as string[]).includes(role)) {
    throw invalidToken({ zh: '令牌中的角色不是本平台的角色', en: `unknown role ${JSON.stringify(role).slice(0, 40)}` });
  }
  const unitId = typeof payload.unit === 'string' && payload.unit ? payload.unit : null;
  const enterprise = typeof payload.enterprise === 'string' && payload.enterprise ? payload.enterprise : null;
  if (unitId !== null && !isUuid(unitId))
    throw invalidToken({ zh: 'unit 声明不是单位编号（UUID）', en: 'the unit claim is not a unit id (a UUID)' });
  if (enterprise !== null && creditCodeProblem(enterprise)) {
    throw invalidToken({
      zh: 'enterprise 声明不是有效的统一社会信用代码',
      en: 'the enterprise claim is not a valid unified social credit code',
    });
  }
  if ((role === Role.UNIT_ADMIN || role === Role.UNIT_STAFF || role === Role.COMMAND_OFFICE) && !unitId) {
    throw invalidToken({ zh: `角色 ${role} 须带 unit 声明`, en: `role ${role} needs a unit claim` });
  }
  if (role === Role.ENTERPRISE && !enterprise)
    throw invalidToken({ zh: '角色 ENTERPRISE 须带 enterprise 声明', en: 'role ENTERPRISE needs an enterprise claim' });
  const institution = typeof payload.institution === 'string' && payload.institution ? payload.institution : null;
  const branch = typeof payload.branch === 'string' && payload.branch ? payload.branch : null;
  if (institution !== null && !isUuid(institution))
    throw invalidToken({ zh: 'institution 声明不是金融机构编号（UUID）', en: 'the institution claim is not an institution id (a UUID)' });
  if (branch !== null && !isUuid(branch))
    throw invalidToken({ zh: 'branch 声明不是网点编号（UUID）', en: 'the branch claim is not a branch id (a UUID)' });
  if (role === Role.FINANCIAL_INSTITUTION && !institution)
    throw invalidToken({
      zh: '角色 FINANCIAL_INSTITUTION 须带 institution 声明',
      en: 'role FINANCIAL_INSTITUTION needs an institution claim',
    });
  if (branch !== null && !institution)
    throw invalidToken({ zh: 'branch 声明须与 institution 声明同时出现', en: 'a branch claim needs an institution claim beside it' });
  return {
    subject: payload.sub,
    role: role as Role,
    unitId,
    enterprise,
    ...(role === Role.FINANCIAL_INSTITUTION ? { institution, branch } : {}),
    issuer: typeof payload.iss === 'string' ? payload.iss : null,
  };
}

/** What a token is signed with: the shared secret, and the issuer and audience the services expect. */
export interface SigningKey {
  secret: string;
  issuer?: string;
  audience?: string;
}

export async function signToken(claims: TokenClaims, key: SigningKey, expiresIn = '8h'): Promise<string> {
  const { sub, ...rest } = claims;
  const token = new SignJWT({ ...rest }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn);
  if (key.issuer) token.setIssuer(key.issuer);
  if (key.audience) token.setAudience(key.audience);
  return token.sign(new TextEncoder().encode(key.secret));
}
