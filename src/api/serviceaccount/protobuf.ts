/**
 * Protobuf request bodies of Secret, ServiceAccount and TokenRequest (field numbers from upstream's
 * k8s.io/api core/v1 and authentication/v1 generated.proto), registered with the server's decoder:
 * kubectl's typed clients (`create secret`, `create serviceaccount`, `create token`) may send them.
 */
import { registerProtobufMessages, type ProtobufMessage } from '../server/protobuf.js';

const KEEP = { keep: true } as const;

const MESSAGES: Record<string, ProtobufMessage> = {
  Secret: { 1: ['metadata', 'ObjectMeta'], 2: ['data', 'map:bytes'], 3: ['type', 'string'], 4: ['stringData', 'map:string'], 5: ['immutable', 'bool', KEEP] },
  LocalObjectReference: { 1: ['name', 'string'] },
  ServiceAccount: {
    1: ['metadata', 'ObjectMeta'], 2: ['secrets', 'ObjectReference[]'], 3: ['imagePullSecrets', 'LocalObjectReference[]'],
    4: ['automountServiceAccountToken', 'bool', KEEP],
  },
  BoundObjectReference: { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] },
  TokenRequestSpec: { 1: ['audiences', 'string[]'], 3: ['boundObjectRef', 'BoundObjectReference'], 4: ['expirationSeconds', 'int64', KEEP] },
  TokenRequest: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'TokenRequestSpec'], 3: ['status', 'ignore'] },
};

registerProtobufMessages(MESSAGES, {
  'v1/Secret': 'Secret', 'v1/ServiceAccount': 'ServiceAccount', 'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
});
