// An image of the session (a warning's snapshot, the ID card, the poster) loaded through the contract.
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { useBlobUrl } from './useBlobUrl';

export function Snapshot({ api, sha, alt }: { api: ConsoleApi; sha: string; alt: string }) {
  const url = useBlobUrl(api, sha);
  return url ? (
    <img src={url} alt={alt} className="snapshot" />
  ) : (
    <span className="snapshot placeholder">loading…</span>
  );
}
