/**
 * Bound service account tokens (upstream's pkg/serviceaccount: the JWT token generator and
 * validator): issue signed JWTs with upstream's claims, and authenticate a bearer token back into
 * the service account's user, checking signature, issuer, time window, audience, and that the
 * service account and the object the token is bound to still exist with the same uid.
 */
import { randomUUID } from 'node:crypto';
import type { KObject } from '../kinds/types.js';
import { PodnetError } from '../../util/errors.js';
import type { UserInfo } from '../authz/types.js';
import { AUTHENTICATED, SA_PREFIX, SERVICE_ACCOUNTS } from '../authz/types.js';
import { JwtError, signJwt, verifyJwt } from './jwt.js';
import type { SigningKey } from './keys.js';

/** A bearer token that does not authenticate (the request gets 401; the reason is only logged). */
export class TokenInvalidError extends PodnetError {
  constructor(message: string) { super('ETOKEN', message); }
}

export type BoundKind = 'Pod' | 'Secret' | 'Node';
export interface ObjectRefClaim { name: string; uid: string }
/** The private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRefClaim;
  pod?: ObjectRefClaim;
  secret?: ObjectRefClaim;
  node?: ObjectRefClaim;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: ObjectRefClaim;
  audiences: string[];
  expirationSeconds: number;
  /** The object the token lives and dies with. */
  bound?: { kind: BoundKind; name: string; uid: string };
  /** The node of a bound pod (upstream adds it since 1.30). */
  node?: ObjectRefClaim;
}

/** Reads the objects a token names (the API server's registry). */
export type ObjectLookup = (kind: 'ServiceAccount' | BoundKind, namespace: string | undefined, name: string) => Promise<KObject | undefined>;

export const CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const refOf = (v: unknown): ObjectRefClaim | undefined =>
  (isObj(v) && typeof v.name === 'string' && typeof v.uid === 'string' ? { name: v.name, uid: v.uid } : undefined);

export interface TokenServiceOptions {
  key: SigningKey;
  /** `iss` of issued tokens; the only issuer accepted. */
  issuer: string;
  /** The API server's audiences: the default `aud` of a TokenRequest, and what a bearer token must name one of. */
  audiences: string[];
  /** Clock (ms), for tests. */
  now?: () => number;
}

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly audiences: readonly string[];
  private readonly now: () => number;

  constructor(private readonly opts: TokenServiceOptions) {
    this.issuer = opts.issuer;
    this.audiences = [...opts.audiences];
    this.now = opts.now ?? Date.now;
  }

  /** A signed token and when it expires. */
  issue(r: IssueRequest): { token: string; expires: Date; jti: string } {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + r.expirationSeconds;
    const jti = randomUUID();
    const k8s: KubernetesClaim = { namespace: r.namespace, serviceaccount: { ...r.serviceAccount } };
    if (r.bound?.kind === 'Pod') k8s.pod = { name: r.bound.name, uid: r.bound.uid };
    if (r.bound?.kind === 'Secret') k8s.secret = { name: r.bound.name, uid: r.bound.uid };
    if (r.bound?.kind === 'Node') k8s.node = { name: r.bound.name, uid: r.bound.uid };
    else if (r.node) k8s.node = { ...r.node };
    const claims = {
      aud: r.audiences, exp, iat, iss: this.issuer, jti, 'kubernetes.io': k8s, nbf: iat,
      sub: `${SA_PREFIX}${r.namespace}:${r.serviceAccount.name}`,
    };
    return { token: signJwt(claims, this.opts.key.privateKey, this.opts.key.kid), expires: new Date(exp * 1000), jti };
  }

  /** The user a bearer token stands for; throws TokenInvalidError when it does not authenticate. */
  async authenticate(token: string, lookup: ObjectLookup): Promise<UserInfo> {
    return (await this.review(token, this.audiences, lookup)).user;
  }

  /**
   * As authenticate, for a TokenReview: the token must name one of `audiences` (the review's, or
   * the API server's); returns the user and the audiences the token is valid for.
   */
  async review(token: string, audiences: readonly string[], lookup: ObjectLookup): Promise<{ user: UserInfo; audiences: string[] }> {
    let claims: Record<string, unknown>;
    try { claims = verifyJwt(token, this.opts.key.verificationKeys ?? [this.opts.key.publicKey]).claims; } catch (e) {
      if (e instanceof JwtError) throw new TokenInvalidError(e.message);
      throw e;
    }
    if (claims.iss !== this.issuer) throw new TokenInvalidError('unknown issuer');
    const now = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || now >= claims.exp) throw new TokenInvalidError('token has expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf) throw new TokenInvalidError('token is not valid yet');
    const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
    const matched = aud.map(String).filter((a) => audiences.includes(a));
    if (!matched.length) throw new TokenInvalidError(audiences === this.audiences ? 'token audiences do not include the API server' : 'token audiences do not include the requested audiences');
    const k8s = claims['kubernetes.io'];
    if (!isObj(k8s) || typeof k8s.namespace !== 'string') throw new TokenInvalidError('no kubernetes.io claim');
    const ns = k8s.namespace;
    const sa = refOf(k8s.serviceaccount);
    if (!sa) throw new TokenInvalidError('no service account claim');
    if (claims.sub !== `${SA_PREFIX}${ns}:${sa.name}`) throw new TokenInvalidError('subject does not match the service account');
    const live = await lookup('ServiceAccount', ns, sa.name);
    if (!live || live.metadata.uid !== sa.uid) throw new TokenInvalidError(`service account ${ns}/${sa.name} is gone or was recreated`);
    if (live.metadata.deletionTimestamp) throw new TokenInvalidError(`service account ${ns}/${sa.name} is being deleted`);
    const extra: Record<string, string[]> = {};
    if (typeof claims.jti === 'string') extra[CREDENTIAL_ID] = [`JTI=${claims.jti}`];
    const bound: [BoundKind, ObjectRefClaim | undefined, string | undefined][] = [
      ['Pod', refOf(k8s.pod), ns], ['Secret', refOf(k8s.secret), ns],
    ];
    const node = refOf(k8s.node);
    // a node claim binds the token only when nothing else does (for a pod it is information)
    if (!refOf(k8s.pod) && !refOf(k8s.secret)) bound.push(['Node', node, undefined]);
    for (const [kind, ref, where] of bound) {
      if (!ref) continue;
      const o = await lookup(kind, where, ref.name);
      if (!o || o.metadata.uid !== ref.uid) throw new TokenInvalidError(`the ${kind.toLowerCase()} the token is bound to (${ref.name}) no longer exists`);
      const del = o.metadata.deletionTimestamp ? Date.parse(o.metadata.deletionTimestamp) : NaN;
      if (!Number.isNaN(del) && del <= this.now()) throw new TokenInvalidError(`the ${kind.toLowerCase()} the token is bound to (${ref.name}) has been deleted`);
    }
    const pod = refOf(k8s.pod);
    if (pod) { extra[EXTRA_POD_NAME] = [pod.name]; extra[EXTRA_POD_UID] = [pod.uid]; }
    if (node) { extra[EXTRA_NODE_NAME] = [node.name]; extra[EXTRA_NODE_UID] = [node.uid]; }
    const user: UserInfo = {
      name: `${SA_PREFIX}${ns}:${sa.name}`, uid: sa.uid,
      groups: [SERVICE_ACCOUNTS, `${SERVICE_ACCOUNTS}:${ns}`, AUTHENTICATED],
      ...(Object.keys(extra).length ? { extra } : {}),
    };
    return { user, audiences: matched };
  }
}
