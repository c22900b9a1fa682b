/**
 * v1 ServiceAccount (ValidateServiceAccount: a DNS-subdomain name; secrets and imagePullSecrets
 * name objects) with kubectl's NAME SECRETS AGE table. Its `token` subresource (TokenRequest) is
 * served by src/api/serviceaccount/.
 */
import type { FieldError } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, simpleTable, translateTimestampSince } from './common.js';
import { asArr, asObj, asStr, invalid, isDNS1123Subdomain, required } from '../validation/index.js';

function validateRefs(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (list !== undefined && list !== null && !Array.isArray(list)) return [invalid(path, list, 'must be a list')];
  asArr(list).forEach((r, i) => {
    const n = asStr(asObj(r).name);
    if (!n) errs.push(required(`${path}[${i}].name`));
    else for (const m of isDNS1123Subdomain(n)) errs.push(invalid(`${path}[${i}].name`, n, m));
  });
  return errs;
}

export const serviceAccountKind = defineKind({
  group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true,
  shortNames: ['sa'], subresources: ['token'],
  nameFn: nameIsDNSSubdomain,
  validateSpec(obj) {
    const errs = [...validateRefs(obj.secrets, 'secrets'), ...validateRefs(obj.imagePullSecrets, 'imagePullSecrets')];
    const a = obj.automountServiceAccountToken;
    if (a !== undefined && a !== null && typeof a !== 'boolean') errs.push(invalid('automountServiceAccountToken', a, 'must be a boolean'));
    return errs;
  },
  table: simpleTable(
    [nameCol(), col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol()],
    (o, now) => [o.metadata?.name ?? '', asArr(o.secrets).length, translateTimestampSince(o.metadata?.creationTimestamp, now)],
  ),
});
