/** The NUT version Walnut speaks as (what NUT clients see in VER and server.version). */
export const NUT_VERSION = '2.8.0';
/** Walnut's own version. */
export const WALNUT_VERSION = '0.1.0';
export const NUT_URL = 'http://www.networkupstools.org/';
/** Network protocol version (NETVER / PROTVER). */
export const NET_PROTOCOL_VERSION = '1.3';
