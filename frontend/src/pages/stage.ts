import { mount } from "svelte";
import "../styles/base.css";
import Stage from "./Stage.svelte";

mount(Stage, { target: document.getElementById("app")! });
