// A global id decodes to whatever text the client encoded in it, and the id columns are
// UUIDs: PostgreSQL refuses to compare a uuid with other text, which failed the whole
// request. An id that is not a UUID names no row, so node() looks up the nil UUID, which
// no row has (ids are random v4), and answers null like any other unknown id.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export function storedIdOf(id: string): string {
  return UUID.test(id) ? id : NIL_UUID;
}
