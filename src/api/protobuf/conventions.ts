/**
 * The Go conventions of Kubernetes' API types that their generated.proto files cannot express,
 * per proto message: which fields are embedded in their parent's JSON (`json:",inline"`), named
 * differently in JSON (`$ref`, `x-kubernetes-…`), Go pointers (a zero value is meaningful and kept),
 * or written to JSON even when zero (no omitempty), and which messages wrap a named Go slice
 * (`ExtraValue`, `Verbs`: an array in JSON). Derived from the pinned release's Go struct tags by
 * extract-conventions.ts into third_party/kubernetes-proto/go-conventions.json.
 */
export interface FieldConvention {
  /** The JSON name, when it is not the proto field name. */
  json?: string;
  /** An embedded struct: its fields sit in the parent's JSON object. */
  inline?: true;
  /** A Go pointer: present on the wire means set, so a zero value is kept. */
  pointer?: true;
  /** No omitempty: a zero scalar is written to JSON too. */
  always?: true;
}

export interface MessageConvention {
  fields?: Record<string, FieldConvention>;
  /** A named Go slice (`type ExtraValue []string`): the message's `items` are the JSON value. */
  slice?: true;
}

/** Full proto message name (package.Message) → its conventions. */
export type GoConventions = Record<string, MessageConvention>;
