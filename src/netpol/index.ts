/** NetworkPolicy: the pure evaluator, the nftables rule generator and the node agent's enforcer. */
export * from './model.js';
export { evaluate, peerMatches, portMatches, type Endpoint, type Probe, type Verdict, type DirectionVerdict } from './evaluate.js';
export { buildModel, modelDigest, hostAddresses } from './cluster.js';
export { desiredTable, renderTransaction, POLICY_TABLE, POLICY_FAMILY, type DesiredTable } from './rules.js';
export { PolicyEnforcer, type EnforcerOptions, type EnforcerStatus } from './enforcer.js';
export { registerPolicyMetrics } from './metrics.js';
