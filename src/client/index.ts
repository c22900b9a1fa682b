export type * from './types.js';
export { createClient, HttpKubeClient } from './http.js';
export { loadKubeconfig, parseKubeconfig, KubeconfigError } from './kubeconfig.js';
export { R, resources, resourcePath, apiVersionOf, type RefFn } from './resources.js';
export { createInformer, ListWatchInformer, objectKey, type InformerOptions } from './informer.js';
export { InformerFactory, type SharedInformerSelectors } from './informerfactory.js';
export { ApiError, ConnectionError, isNotFound, isAlreadyExists, isConflict, isGone, type Status } from './errors.js';
