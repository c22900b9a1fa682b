/**
 * v1 Secret: the types upstream knows (Opaque, service-account-token, dockercfg, dockerconfigjson,
 * basic-auth, ssh-auth, tls, bootstrap token) with upstream's per-type validation (ValidateSecret),
 * `stringData` merged into `data` on every write (as the v1 → internal conversion does), and a
 * table of NAME TYPE DATA AGE that never carries a value. Validation messages name fields and keys,
 * never values.
 */
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, simpleTable, translateTimestampSince } from './common.js';
import { asObj, asStr, forbidden, invalid, isConfigMapKey, isObj, required, tooLong } from '../validation/index.js';

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** The annotation naming the ServiceAccount a service-account-token Secret belongs to. */
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
const SECRET_MAX = 1024 * 1024;
const REDACTED = '<secret contents redacted>';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** v1 → storage: stringData values (UTF-8) override data's, then stringData goes away; type defaults to Opaque. */
function defaultSecret(obj: KObject): void {
  const sd = obj.stringData;
  if (isObj(sd)) {
    const data = isObj(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(sd)) {
      // a non-string value stays in stringData so validation can name it
      if (typeof v === 'string') { data[k] = Buffer.from(v, 'utf8').toString('base64'); delete sd[k]; }
    }
    obj.data = data;
    if (Object.keys(sd).length === 0) delete obj.stringData;
  } else if (sd === null) delete obj.stringData;
  if (obj.type === undefined || obj.type === null || obj.type === '') obj.type = SECRET_TYPES.opaque;
}

/** The decoded bytes of data[key] (undefined when absent or not base64). */
function dataBytes(obj: KObject, key: string): Buffer | undefined {
  const v = asObj(obj.data)[key];
  if (typeof v !== 'string' || !BASE64.test(v)) return undefined;
  return Buffer.from(v, 'base64');
}
const hasKey = (obj: KObject, key: string): boolean => Object.prototype.hasOwnProperty.call(asObj(obj.data), key);

function validateSecret(obj: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj.data;
  if (data !== undefined && data !== null && !isObj(data)) errs.push(invalid('data', REDACTED, 'must be a map of string to base64-encoded bytes'));
  let size = 0;
  for (const [k, v] of Object.entries(asObj(data))) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    if (typeof v !== 'string' || !BASE64.test(v)) errs.push(invalid(`data[${k}]`, REDACTED, 'must be base64-encoded bytes'));
    size += Math.floor((asStr(v).length * 3) / 4);
  }
  for (const k of Object.keys(asObj(obj.stringData))) errs.push(invalid(`stringData[${k}]`, REDACTED, 'must be a string'));
  if (size > SECRET_MAX) errs.push(tooLong('data', SECRET_MAX));
  const type = asStr(obj.type);
  if (obj.type !== undefined && typeof obj.type !== 'string') errs.push(invalid('type', obj.type, 'must be a string'));
  const ann = obj.metadata?.annotations ?? {};
  switch (type) {
    case SECRET_TYPES.serviceAccountToken:
      if (!ann[SA_NAME_ANNOTATION]) errs.push(required(`metadata.annotations[${SA_NAME_ANNOTATION}]`));
      break;
    case SECRET_TYPES.dockercfg:
    case SECRET_TYPES.dockerConfigJson: {
      const key = type === SECRET_TYPES.dockercfg ? '.dockercfg' : '.dockerconfigjson';
      if (!hasKey(obj, key)) { errs.push(required(`data[${key}]`)); break; }
      const b = dataBytes(obj, key);
      // the parser's message quotes the input: say only that it is not JSON
      try { if (b) JSON.parse(b.toString('utf8')); } catch { errs.push(invalid(`data[${key}]`, REDACTED, 'must be valid JSON')); }
      break;
    }
    case SECRET_TYPES.basicAuth:
      if (!hasKey(obj, 'username') && !hasKey(obj, 'password')) errs.push(required('data[username]'));
      break;
    case SECRET_TYPES.sshAuth:
      if (!hasKey(obj, 'ssh-privatekey') || (dataBytes(obj, 'ssh-privatekey')?.length ?? 0) === 0) errs.push(required('data[ssh-privatekey]'));
      break;
    case SECRET_TYPES.tls:
      if (!hasKey(obj, 'tls.crt')) errs.push(required('data[tls.crt]'));
      if (!hasKey(obj, 'tls.key')) errs.push(required('data[tls.key]'));
      break;
    default:
      break;
  }
  if (old) {
    if (asStr(old.type) !== type) errs.push(invalid('type', type, 'field is immutable'));
    if (old.immutable === true) {
      if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export const secretKind = defineKind({
  group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true,
  nameFn: nameIsDNSSubdomain,
  defaults: defaultSecret,
  validateSpec: validateSecret,
  table: simpleTable(
    [nameCol(), col('Type', 'string', 'The type of the secret'), col('Data', 'string', 'The number of keys in the secret'), ageCol()],
    (o, now) => [o.metadata?.name ?? '', asStr(o.type), Object.keys(asObj(o.data)).length, translateTimestampSince(o.metadata?.creationTimestamp, now)],
  ),
  fields(obj) { return { type: asStr(obj.type) }; },
});
