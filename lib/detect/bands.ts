/**
 * Bands: protocol categories of a flow, after the Sumo Logic multiband seed
 * (DESIGN §2). Where a source saw the payload (`service`), it wins over the
 * port: HTTP on 8888 is HTTP.
 *
 * @module
 */

/** Band numbers (small integers so events fit in a Uint8Array). */
export const Band = {
  Other: 0,
  DNS: 1,
  HTTP: 2,
  HTTPS: 3,
  SMTP: 4,
  FTP: 5,
  SSH: 6,
  NTP: 7,
  POP3: 8,
  IMAP: 9,
  MQTT: 10,
  XMPP: 11,
  IRC: 12,
} as const;
export type Band = (typeof Band)[keyof typeof Band];

const NAMES = ['Other', 'DNS', 'HTTP', 'HTTPS', 'SMTP', 'FTP', 'SSH', 'NTP', 'POP3', 'IMAP', 'MQTT', 'XMPP', 'IRC'] as const;

const PORT_BAND = new Map<number, Band>([
  [53, Band.DNS],
  [80, Band.HTTP],
  [8080, Band.HTTP],
  [443, Band.HTTPS],
  [8443, Band.HTTPS],
  [25, Band.SMTP],
  [587, Band.SMTP],
  [465, Band.SMTP],
  [20, Band.FTP],
  [21, Band.FTP],
  [22, Band.SSH],
  [123, Band.NTP],
  [110, Band.POP3],
  [143, Band.IMAP],
  [1883, Band.MQTT],
  [5222, Band.XMPP],
  [6667, Band.IRC],
]);

// Zeek service names (conn.log `service`) to bands.
const SERVICE_BAND = new Map<string, Band>([
  ['dns', Band.DNS],
  ['http', Band.HTTP],
  ['ssl', Band.HTTPS],
  ['tls', Band.HTTPS],
  ['smtp', Band.SMTP],
  ['ftp', Band.FTP],
  ['ftp-data', Band.FTP],
  ['ssh', Band.SSH],
  ['ntp', Band.NTP],
  ['pop3', Band.POP3],
  ['imap', Band.IMAP],
  ['mqtt', Band.MQTT],
  ['xmpp', Band.XMPP],
  ['irc', Band.IRC],
]);

/**
 * Band of a flow from its service (first of Zeek's comma list) or, when the
 * service is unknown or not a band, its responder port.
 */
export function bandOf(respP: number, service: string): Band {
  if (service !== '') {
    const comma = service.indexOf(',');
    const first = comma < 0 ? service : service.slice(0, comma);
    const b = SERVICE_BAND.get(first);
    if (b !== undefined) {
      // Zeek calls TLS on port 80 "ssl": keep it HTTPS; HTTP on 443 stays HTTP.
      return b;
    }
  }
  return PORT_BAND.get(respP) ?? Band.Other;
}

/** Display name: `DNS`, `HTTPS`, … or `Other:<port>`. */
export function bandName(band: number, port: number): string {
  return band === Band.Other ? `Other:${port}` : (NAMES[band] ?? `Other:${port}`);
}

/** True for the web bands that multiband rules pair with DNS. */
export function isWebBand(band: number): boolean {
  return band === Band.HTTP || band === Band.HTTPS;
}
