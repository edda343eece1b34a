const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Item ids (and conflict ids) are UUIDs, in either case; nodes compare them lower-cased. */
export function isItemId(text: string): boolean {
  return UUID.test(text);
}
