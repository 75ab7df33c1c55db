// Loads a session file (snapshot, ID image, clip, video) through the contract and exposes it as a
// blob: URL (allowed by the CSP), released when no longer shown.
import { useEffect, useState } from 'react';
import type { ConsoleApi } from '../../src-preload/contract-windows';

export function useBlobUrl(api: ConsoleApi, sha256: string | null): string | undefined {
  const [url, setUrl] = useState<string | undefined>();
  useEffect(() => {
    if (!sha256) return;
    let revoked = false;
    let made: string | undefined;
    void api.reviewBlob({ sha256 }).then((result) => {
      if (revoked || !result.ok) return;
      const bytes = Uint8Array.from(atob(result.value.base64), (c) => c.charCodeAt(0));
      made = URL.createObjectURL(new Blob([bytes], { type: result.value.contentType }));
      setUrl(made);
    });
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
      setUrl(undefined);
    };
  }, [api, sha256]);
  return url;
}
