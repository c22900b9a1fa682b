/** Address allocation shared by the API server's admission and the controllers (imports only meta and util). */
export { AllocatorError, type AllocatorErrorCode } from './errors.js';
export { ServiceIPAllocator } from './serviceip.js';
export { PortAllocator } from './port.js';
export { CidrAllocator } from './cidr.js';
export { AddressPool } from './pool.js';
export { ServiceAllocators, parsePortRange, type AllocationResult } from './service.js';
export { MemoryServiceAllocation, StoreServiceAllocation, IPADDRESS_PREFIX, NODEPORT_PREFIX, ipClaimKey, portClaimKey, type ServiceAllocation, type AsyncAllocationResult, type ClaimStore, type StoreAllocationOptions } from './claims.js';
