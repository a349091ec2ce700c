import { type Bootstrap, socketUrl } from "./bootstrap";
import { LiveClient } from "./live";
import { reduceLive } from "./qa";
import type { LiveState } from "./types";

/** The live client of a staff page: the role link's key, or else the login session's cookie. */
export function staffClient(boot: Bootstrap): LiveClient<LiveState> {
  return new LiveClient<LiveState>({
    url: socketUrl(boot.socket, { key: boot.key }),
    reduce: reduceLive,
    initial: boot.initial,
  });
}
