/**
 * OpenAPI definitions of Secret, ServiceAccount and authentication.k8s.io/v1 TokenRequest, merged
 * into the server's definition table (src/api/openapi/schemas.ts) so /openapi/v2 and /openapi/v3
 * describe them (`kubectl explain secret.data`) and strict field validation knows their fields.
 */
import type { Definition, FieldTuple } from '../openapi/schemas.js';
import { listTypeFields, OBJECT_TYPE_FIELDS } from '../openapi/fields.js';

const CORE = 'io.k8s.api.core.v1';
const AUTHN = 'io.k8s.api.authentication.v1';
const TYPE = OBJECT_TYPE_FIELDS;
const list = (item: string): FieldTuple[] => listTypeFields(item, `Items is a list of ${item} objects.`);
const gvk = (kind: string, group = '', version = 'v1'): Definition['gvk'] => ({ group, version, kind });

export const SERVICEACCOUNT_DEFINITIONS: Record<string, Definition> = {
  Secret: {
    full: `${CORE}.Secret`, gvk: gvk('Secret'),
    description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
    fields: [
      ...TYPE,
      ['data', 'map', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string."],
      ['immutable', 'boolean', 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'],
      ['stringData', 'map', 'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values.'],
      ['type', 'string', 'Used to facilitate programmatic handling of secret data.'],
    ],
  },
  SecretList: { full: `${CORE}.SecretList`, gvk: gvk('SecretList'), description: 'SecretList is a list of Secret.', fields: list('Secret'), required: ['items'] },
  ServiceAccount: {
    full: `${CORE}.ServiceAccount`, gvk: gvk('ServiceAccount'),
    description: 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets',
    fields: [
      ...TYPE,
      ['automountServiceAccountToken', 'boolean', 'AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.'],
      ['imagePullSecrets', '[]LocalObjectReference', 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.'],
      ['secrets', '[]ObjectReference', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', 'merge:name'],
    ],
  },
  ServiceAccountList: { full: `${CORE}.ServiceAccountList`, gvk: gvk('ServiceAccountList'), description: 'ServiceAccountList is a list of ServiceAccount objects', fields: list('ServiceAccount'), required: ['items'] },
  BoundObjectReference: {
    full: `${AUTHN}.BoundObjectReference`, description: 'BoundObjectReference is a reference to an object that a token is bound to.',
    fields: [
      ['apiVersion', 'string', 'API version of the referent.'],
      ['kind', 'string', "Kind of the referent. Valid kinds are 'Pod' and 'Secret'."],
      ['name', 'string', 'Name of the referent.'],
      ['uid', 'string', 'UID of the referent.'],
    ],
  },
  TokenRequestSpec: {
    full: `${AUTHN}.TokenRequestSpec`, description: 'TokenRequestSpec contains client provided parameters of a token request.', required: ['audiences'],
    fields: [
      ['audiences', '[]string', 'Audiences are the intendend audiences of the token.'],
      ['boundObjectRef', 'BoundObjectReference', 'BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists.'],
      ['expirationSeconds', 'int64', 'ExpirationSeconds is the requested duration of validity of the request.'],
    ],
  },
  TokenRequestStatus: {
    full: `${AUTHN}.TokenRequestStatus`, description: 'TokenRequestStatus is the result of a token request.', required: ['token', 'expirationTimestamp'],
    fields: [
      ['expirationTimestamp', 'Time', 'ExpirationTimestamp is the time of expiration of the returned token.'],
      ['token', 'string', 'Token is the opaque bearer token.'],
    ],
  },
  TokenRequest: {
    full: `${AUTHN}.TokenRequest`, gvk: gvk('TokenRequest', 'authentication.k8s.io'), description: 'TokenRequest requests a token for a given service account.', required: ['spec'],
    fields: [...TYPE, ['spec', 'TokenRequestSpec', 'Spec holds information about the request being evaluated'], ['status', 'TokenRequestStatus', 'Status is filled in by the server and indicates whether the token can be authenticated.']],
  },
};
