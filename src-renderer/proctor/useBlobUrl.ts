// The URL a session file (snapshot, ID image, clip, video) is shown from: the contract checks the
// file is visible to this login and hands back a same-origin URL that answers Range requests, so
// the `<video>` element fetches only the bytes around where it plays or seeks.
import { useEffect, useState } from 'react';
import type { ConsoleApi } from '../../src-preload/contract-windows';

export function useBlobUrl(api: ConsoleApi, sha256: string | null): string | undefined {
  const [url, setUrl] = useState<string | undefined>();
  useEffect(() => {
    if (!sha256) return;
    let cancelled = false;
    void api.reviewBlob({ sha256 }).then((result) => {
      if (!cancelled && result.ok) setUrl(result.value.url);
    });
    return () => {
      cancelled = true;
      setUrl(undefined);
    };
  }, [api, sha256]);
  return url;
}
