/**
 * `sink.pk.mode` as the sink applies it. Unset, it keeps the meaning configs had before the key existed:
 * `sink.pk.fields` set → record_value; otherwise the Kafka coordinates (kafka) when provenance columns are
 * on, and no key at all (none) when they are off.
 */
export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value';

export interface PkModeInputs {
  readonly pkMode: PkMode | '';
  readonly pkFields: readonly string[];
  readonly provenanceColumns: boolean;
}

export function effectivePkMode({ pkMode, pkFields, provenanceColumns }: PkModeInputs): PkMode {
  if (pkMode !== '') return pkMode;
  if (pkFields.length > 0) return 'record_value';
  return provenanceColumns ? 'kafka' : 'none';
}

/** Column of a primitive record key when `sink.pk.fields` names none. */
export const DEFAULT_KEY_COLUMN = 'kafka_key';
