/**
 * Short-lived download links: a URL a person opens in a browser (or from the explorer) to get a file
 * the gateway serves, without an Authorization header — a browser sends none on a plain link.
 *
 * A link carries a **sealed grant**: a JWE (`dir`, A256GCM) under a key of the links' own, which the
 * service that issues links and the gateway that opens them both derive (HKDF-SHA256) from the same
 * secret — `DOWNLOAD_LINK_SECRET`, else `JWT_SECRET`. The grant holds what the link opens (resource,
 * period, format), the person it was made for (issuer, role, subject) and that person's own
 * Authorization header, sealed. The gateway opens the grant and runs the file's query **with the
 * caller's own token**, so every subgraph checks it exactly as for any request: a link gives nobody
 * more than its maker had, ends with the maker's token as well as with its own expiry, and adds no
 * new way for a subgraph to trust anyone. Why sealed rather than a signed JWT with the person's
 * claims: a signed claim of a person is something every subgraph would have to accept in place of
 * a token — a second way in, and a key that could mint any person — while the maker's token is
 * what they already accept; sealing keeps that token unreadable in a URL that browsers keep in
 * their history (the key never leaves the services). A link is no bearer token: it is not a JWS at
 * all, and no authenticator accepts it. Its audience names it (`yingshang:download-link`), so it
 * cannot be mistaken for anything else sealed with a key derived from the same secret.
 */
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, errors as joseErrors, jwtDecrypt } from 'jose';
import { errors } from './errors.ts';

const DOWNLOAD_LINK_AUDIENCE = 'yingshang:download-link';
/** Longer than any grant (a token of at most 8 KB, sealed and encoded): refused before decrypting. */
const MAX_LINK_LENGTH = 16_384;

/** What a link opens, and for whom. */
export interface DownloadGrant {
  /** What the link opens, e.g. `board`. */
  resource: string;
  period: string;
  /** `csv`, `xlsx`, `html`. */
  format: string;
  /** The maker's Authorization header, as they sent it to the service that made the link. */
  authorization: string;
  /** The maker, as the platform keys a person (platform/auth.ts `personOf`). */
  person: { issuer: string; role: string; subject: string };
}

export interface DownloadLinks {
  /** How long a new link works. */
  readonly ttlSeconds: number;
  /** Seals a grant for `ttlSeconds` from `now`. */
  issue(grant: DownloadGrant, now: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The grant a link holds, judged at `now`; UNAUTHENTICATED (bilingual, saying why) otherwise. */
  open(token: string, now: Date): Promise<DownloadGrant>;
}

export interface DownloadLinkConfig {
  /** The secret the links' key is derived from (never used as it is). */
  secret: string;
  ttlSeconds: number;
}

/** The links' own key: 256 bits derived from the secret, for this purpose only. */
export function downloadLinkKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'yingshang', 'download links v1', 32));
}

const refused = (zh: string, en: string) => errors.unauthenticated({ zh: `下载链接无效：${zh}`, en: `Invalid download link: ${en}` });

export function createDownloadLinks(config: DownloadLinkConfig): DownloadLinks {
  const key = downloadLinkKey(config.secret);
  return {
    ttlSeconds: config.ttlSeconds,
    async issue(grant, now) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = issuedAt + config.ttlSeconds;
      const token = await new EncryptJWT({
        res: grant.resource,
        per: grant.period,
        fmt: grant.format,
        auth: grant.authorization,
        who: [grant.person.issuer, grant.person.role, grant.person.subject],
      })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setAudience(DOWNLOAD_LINK_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .encrypt(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },
    async open(token, now) {
      if (token.length > MAX_LINK_LENGTH) throw refused('过长', 'too long');
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtDecrypt(token, key, {
          audience: DOWNLOAD_LINK_AUDIENCE,
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
          requiredClaims: ['exp', 'iat'],
          currentDate: now,
          // A link's own lifetime is checked against its iat too: never longer than configured.
          maxTokenAge: config.ttlSeconds,
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          throw errors.unauthenticated({
            zh: '下载链接已过期，请重新生成（boardDownloadLink）',
            en: 'The download link has expired; make a new one (boardDownloadLink)',
          });
        }
        throw refused('无法验证（被改动，或不是本平台生成的链接）', 'it does not verify (changed, or not made by this platform)');
      }
      const { res, per, fmt, auth, who } = payload;
      const person =
        Array.isArray(who) && who.length === 3 && who.every((part) => typeof part === 'string') ? (who as [string, string, string]) : null;
      if (typeof res !== 'string' || typeof per !== 'string' || typeof fmt !== 'string' || typeof auth !== 'string' || !person) {
        throw refused('内容不完整', 'its contents are incomplete');
      }
      return {
        resource: res,
        period: per,
        format: fmt,
        authorization: auth,
        person: { issuer: person[0], role: person[1], subject: person[2] },
      };
    },
  };
}

/**
 * Where the gateway serves each resource's files, by format: the one table the service that makes a
 * link and the gateway that opens it share.
 */
const DOWNLOAD_ROUTES: Record<string, Record<string, string>> = {
  board: { csv: '/exports/board.csv', xlsx: '/exports/board.xlsx', html: '/reports/board' },
};

/** The path (and query) of a link on the gateway: the route, the period, the sealed grant. */
export function downloadPath(resource: string, format: string, period: string, token: string): string {
  const route = DOWNLOAD_ROUTES[resource]?.[format];
  if (!route) throw new Error(`no route for ${resource}.${format}`);
  return `${route}?${new URLSearchParams({ period, link: token })}`;
}
