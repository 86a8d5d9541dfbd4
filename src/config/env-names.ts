/** Environment variable names of config keys. */

/** `KMS_` + key upper-cased with `.` → `_`: `mysql.password` → `KMS_MYSQL_PASSWORD`. */
export function envVarFor(key: string): string {
  return `KMS_${key.toUpperCase().replace(/\./g, '_')}`;
}

/** Extra accepted env names: camelCase split into words (`KMS_MYSQL_MAX_POOL_SIZE`). */
export function envAliasesFor(key: string): readonly string[] {
  const split = `KMS_${key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/\./g, '_')}`;
  return split === envVarFor(key) ? [] : [split];
}
