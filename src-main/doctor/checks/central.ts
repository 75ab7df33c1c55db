// Central PostgreSQL reachable: a TCP connection to the configured host and port, then PostgreSQL's
// SSLRequest and a TLS handshake, reporting protocol, cipher and certificate, and whether the chain
// and host name verify (what sslmode=verify-full will demand). No credentials are sent.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { resolveSsl } from '../../central/connect';
import type { VigilConfig } from '../../config/schema';
import type { DoctorCheck } from '../types';

// PostgreSQL's SSLRequest: length 8, code 80877103.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function readOneByte(socket: net.Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not answer the SSLRequest')), timeoutMs);
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve(String.fromCharCode(data[0] ?? 0));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function handshake(
  socket: net.Socket,
  host: string,
  ca: Buffer | undefined,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      servername: net.isIP(host) ? undefined : host,
      ca,
      rejectUnauthorized: false, // we report verification ourselves instead of failing opaquely
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error('TLS handshake timed out'));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function centralCheck(central: VigilConfig['central'], timeoutMs = 5_000): Promise<DoctorCheck> {
  const base = { id: 'central', title: 'Central server' };
  if (!central.url)
    return {
      ...base,
      status: 'ok',
      summary: 'no central server configured: using the embedded store',
      details: { configured: false },
    };
  const url = new URL(central.url);
  // The mode a connection will use: sslmode= in the URL wins over central.sslMode, as in connect.ts.
  const ssl = resolveSsl({
    url: central.url,
    defaultSslMode: central.sslMode,
    ...(central.caFile ? { caFile: central.caFile } : {}),
  });
  const sslMode = ssl.mode;
  const sslSource = ssl.source === 'url' ? 'sslmode in central.url' : 'central.sslMode';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 5432);
  const where = `${host}:${port}`;
  let socket: net.Socket;
  try {
    socket = await connectTcp(host, port, timeoutMs);
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      summary: `cannot reach the central server at ${where}: ${(error as Error).message}. Check the network and that the firewall allows TCP ${port} to it.`,
      details: { configured: true, host, port, reachable: false, error: (error as Error).message },
    };
  }
  const details: Record<string, unknown> = {
    configured: true,
    host,
    port,
    reachable: true,
    sslMode,
    sslModeSource: ssl.source,
  };
  try {
    if (sslMode === 'disable')
      return {
        ...base,
        status: 'warn',
        summary: `reachable at ${where}; TLS is disabled (${sslSource} = disable)`,
        details,
      };
    socket.write(SSL_REQUEST);
    const answer = await readOneByte(socket, timeoutMs);
    if (answer !== 'S')
      return {
        ...base,
        // allow/prefer fall back to plaintext: it works, but nothing is encrypted.
        status: sslMode === 'allow' || sslMode === 'prefer' ? 'warn' : 'fail',
        summary: `reachable at ${where}, but the server does not offer TLS while ${sslSource} is ${sslMode}`,
        details: { ...details, tls: false },
      };
    const ca = ssl.caFile ? fs.readFileSync(ssl.caFile) : undefined;
    const secure = await handshake(socket, host, ca, timeoutMs);
    socket = secure;
    const cert = secure.getPeerCertificate();
    const hostError = tls.checkServerIdentity(host, cert);
    const verified = secure.authorized && !hostError;
    Object.assign(details, {
      tls: true,
      protocol: secure.getProtocol(),
      cipher: secure.getCipher().name,
      certificate: {
        subject: cert.subject?.CN ?? null,
        issuer: cert.issuer?.CN ?? null,
        subjectAltName: cert.subjectaltname ?? null,
        validFrom: cert.valid_from,
        validTo: cert.valid_to,
        fingerprint256: cert.fingerprint256,
      },
      chainVerified: secure.authorized,
      chainError: secure.authorized ? null : String(secure.authorizationError),
      hostnameVerified: !hostError,
      caFile: ssl.caFile ?? null,
    });
    if (sslMode === 'verify-ca' && !secure.authorized)
      return {
        ...base,
        status: 'fail',
        summary: `reachable at ${where} over ${secure.getProtocol()}, but the certificate chain does not verify (${String(secure.authorizationError)}); set central.caFile to your CA or fix the server certificate`,
        details,
      };
    if (sslMode === 'verify-full' && !verified)
      return {
        ...base,
        status: 'fail',
        summary: `reachable at ${where} over ${secure.getProtocol()}, but the certificate does not verify (${hostError?.message ?? String(secure.authorizationError)}); set central.caFile to your CA or fix the server certificate`,
        details,
      };
    return {
      ...base,
      status: 'ok',
      summary: `reachable at ${where} over ${secure.getProtocol()} (${secure.getCipher().name}), certificate ${verified ? 'verified' : `not verified (sslmode ${sslMode})`}`,
      details,
    };
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      summary: `central server at ${where}: ${(error as Error).message}`,
      details,
    };
  } finally {
    socket.destroy();
  }
}
