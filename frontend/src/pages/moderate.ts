import { mount } from "svelte";
import "../styles/base.css";
import Moderate from "./Moderate.svelte";

mount(Moderate, { target: document.getElementById("app")! });
