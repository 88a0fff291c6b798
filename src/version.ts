/** Sent as the User-Agent; bumped with package.json. */
export const VERSION = '0.1.0';
