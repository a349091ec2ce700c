import { mount } from "svelte";
import "../styles/base.css";
import Screen from "./Screen.svelte";

mount(Screen, { target: document.getElementById("app")! });
