// The one `--ssl-mode` option of every command that connects to the central server, so each offers
// libpq's six modes and documents the same precedence (see src-main/central/connect.ts).
import { Option } from 'commander';
import { SSL_MODES } from '../central/connect';

export function sslModeOption(): Option {
  return new Option(
    '--ssl-mode <mode>',
    'TLS to the central server; wins over sslmode= in the URL, which wins over central.sslMode',
  ).choices(SSL_MODES);
}
