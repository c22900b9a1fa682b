/**
 * Kubernetes protobuf request bodies, decoded with upstream's pinned generated.proto through
 * protobufjs (src/api/protobuf/). Kept as the server's entry point for the decoder.
 */
export { decodeProtobufObject, encodeProtobufObject, canEncodeProtobuf, PROTOBUF_MAGIC, PROTOBUF_CONTENT_TYPE } from '../protobuf/envelope.js';
