// The attend page's service worker (served at /sw.js, scope /e/; docs/protocol.md, "Offline").
// It keeps the attend page and the static assets it loaded, so the page opens without a network
// with its last state (kept by the page itself) and its queue of unsent commands (IndexedDB).
/// <reference lib="webworker" />
import { clientsClaim } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";

declare const self: ServiceWorkerGlobalScope;

const PAGES = "livehub-attend-pages";
const ASSETS = "livehub-assets";

self.skipWaiting();
clientsClaim();

const sameOrigin = (url: URL) => url.origin === self.location.origin;
const attendPage = (url: URL) => sameOrigin(url) && /^\/e\/[^/]+\/$/.test(url.pathname);

// The page from the network while there is one (its programme is fresh), else the last copy;
// `?mode=` aside, one copy per event. Staff pages (moderate, stage, screen) are never kept.
const pages = new NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 5,
  matchOptions: { ignoreSearch: true, ignoreVary: true },
  plugins: [new ExpirationPlugin({ maxEntries: 20 })],
});
registerRoute(({ request, url }) => request.mode === "navigate" && attendPage(url), pages);

// Bundles, styles and icons carry their content's hash in their names: a kept copy is never stale.
registerRoute(
  ({ url }) => sameOrigin(url) && url.pathname.startsWith("/static/"),
  new CacheFirst({ cacheName: ASSETS, plugins: [new ExpirationPlugin({ maxEntries: 200, maxAgeSeconds: 30 * 86400 })] }),
);

// The first visit loaded the page and its assets before this worker was there: the page sends
// their addresses once the worker is active, and is told when they are kept.
self.addEventListener("message", (event) => {
  const data = event.data;
  if (data?.type !== "KEEP_PAGE" || typeof data.page !== "string" || !Array.isArray(data.assets)) return;
  const page = new URL(data.page, self.location.href);
  const assets = data.assets.map((asset: string) => new URL(asset, self.location.href)).filter(sameOrigin);
  if (!attendPage(page)) return;
  event.waitUntil(
    (async () => {
      await (await caches.open(PAGES)).add(page);
      const kept = await caches.open(ASSETS);
      await Promise.all(assets.map(async (asset: URL) => (await kept.match(asset)) ?? kept.add(asset)));
      event.ports[0]?.postMessage({ kept: true });
    })().catch((error) => {
      event.ports[0]?.postMessage({ kept: false, error: String(error) });
    }),
  );
});
