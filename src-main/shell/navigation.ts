// The renderer is a single-page app: it never navigates away and never opens windows.
export interface NavigationEvent {
  preventDefault(): void;
}

/** The part of Electron's WebContents this module uses. */
export interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (event: NavigationEvent, url: string) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function installNavigationGuards(contents: WebContentsLike, onBlocked: (url: string) => void): void {
  const block = (event: NavigationEvent, url: string) => {
    event.preventDefault();
    onBlocked(url);
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', block);
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked(url);
    return { action: 'deny' };
  });
}
