// The product's icon, inline in every page.
/** An inline icon: no request, and no 404 in the console. */
export const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%231d4ed8'/%3E%3Cpath d='M4 11V5l4 3 4-3v6' stroke='white' stroke-width='1.6' fill='none'/%3E%3C/svg%3E";
