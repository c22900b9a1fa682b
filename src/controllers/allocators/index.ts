export { AllocatorError, type AllocatorErrorCode } from './errors.js';
export { ServiceIPAllocator } from './serviceip.js';
export { PortAllocator } from './port.js';
export { CidrAllocator } from './cidr.js';
export { parseIP, formatIP, parseCidr, formatCidr } from './ip.js';
export { ServiceAllocators, parsePortRange, type AllocationResult } from './service.js';
