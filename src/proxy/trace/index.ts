/** A packet tracer over the rules podnet's proxier generates (iptables-restore payloads, nft scripts). */
export { traceIptables, applyRestore, addRule, emptyIptables, type IptState } from './iptables.js';
export { traceNft, applyNft, emptyNft, type NftState } from './nft.js';
export { summarize, describe, TraceError, type Packet, type Outcome, type TraceResult, type TraceOptions, type Verdict, type L4, type RecentTable } from './types.js';
