import { mount } from "svelte";
import { keepForOffline } from "../lib/offline";
import "../styles/base.css";
import Attend from "./Attend.svelte";

mount(Attend, { target: document.getElementById("app")! });
// Installable, and opens without a network: the page and its assets kept by the service worker.
void keepForOffline().then((kept) => {
  if (kept) document.documentElement.dataset.offline = "ready";
});
