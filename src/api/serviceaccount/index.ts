/**
 * Service accounts in the API server: the signing key in the data dir, bound-token issue
 * (TokenRequest) and bearer-token authentication, and the pod admission that mounts tokens. The
 * handler (src/api/server/handler.ts) calls these three entry points; everything reads the store
 * through the Registry.
 */
import type { Logger } from 'pino';
import { kindByKind } from '../kinds/index.js';
import type { KObject } from '../kinds/types.js';
import type { Registry } from '../server/registry.js';
import type { UserInfo } from '../authz/types.js';
import { admitPod, type AdmissionOptions } from './admission.js';
import { looksLikeJwt } from './jwt.js';
import { ensureSigningKey, type SigningKeyOptions } from './keys.js';
import { answerTokenRequest } from './tokenrequest.js';
import { answerTokenReview } from './tokenreview.js';
import { ServiceAccountTokens, TokenInvalidError, type ObjectLookup } from './tokens.js';

export { TokenInvalidError } from './tokens.js';
export { TOKEN_MOUNT_PATH, ROOT_CA_CONFIGMAP } from './admission.js';

export interface ServiceAccountOptions {
  /** Where the signing key lives (the API server's PKI directory in its data dir). */
  keyDir: string;
  /** Cluster DNS domain: the issuer and default audience are https://kubernetes.default.svc.<domain>. */
  clusterDomain?: string;
  admission?: AdmissionOptions;
  /** Signing and verification keys (--service-account-signing-key-file, --service-account-key-file, generated type). */
  keys?: SigningKeyOptions;
}

/** The issuer (and API audience) kubeadm clusters use. */
export function defaultIssuer(clusterDomain = 'cluster.local'): string {
  return `https://kubernetes.default.svc.${clusterDomain}`;
}

export class ServiceAccounts {
  readonly tokens: ServiceAccountTokens;
  private readonly lookup: ObjectLookup;

  constructor(private readonly reg: Registry, private readonly log: Logger, private readonly opts: ServiceAccountOptions) {
    const issuer = defaultIssuer(opts.clusterDomain);
    this.tokens = new ServiceAccountTokens({ key: ensureSigningKey(opts.keyDir, opts.keys), issuer, audiences: [issuer] });
    this.lookup = async (kind, ns, name) => this.reg.tryGet(kindByKind('', kind)!, ns, name);
  }

  /**
   * The user of an `Authorization: Bearer …` header; undefined when the request carries none.
   * Throws TokenInvalidError for a token that does not authenticate.
   */
  async authenticate(authorization: string | undefined): Promise<UserInfo | undefined> {
    if (!authorization) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return undefined;
    const token = m[1]!;
    if (!looksLikeJwt(token)) throw new TokenInvalidError('not a JWT');
    try {
      return await this.tokens.authenticate(token, this.lookup);
    } catch (e) {
      // the reason goes to the log (never the token); the client only learns 401
      if (e instanceof TokenInvalidError) this.log.info({ reason: e.message }, 'bearer token rejected');
      throw e;
    }
  }

  /** POST …/serviceaccounts/NAME/token: the TokenRequest answer for the stored service account. */
  async tokenRequest(namespace: string, name: string, body: unknown): Promise<Record<string, unknown>> {
    const sa = await this.reg.get(kindByKind('', 'ServiceAccount')!, namespace, name);
    return answerTokenRequest(this.tokens, sa, body, this.lookup);
  }

  /** POST /apis/authentication.k8s.io/v1/tokenreviews: whether a token authenticates, and as whom. */
  async tokenReview(body: unknown): Promise<Record<string, unknown>> {
    return answerTokenReview(this.tokens, body, this.lookup);
  }

  /** Mutating + validating admission of a pod create. */
  async admitPod(namespace: string, pod: KObject): Promise<void> {
    await admitPod(namespace, pod, (ns, n) => this.lookup('ServiceAccount', ns, n), this.opts.admission);
  }
}
